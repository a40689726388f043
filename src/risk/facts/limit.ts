import { estimate, type FactDefinition, NOT_APPLICABLE } from '../context.js';

// `LIMIT n` of an UPDATE or DELETE; not applicable when the statement has none.
export const limit: FactDefinition = {
  name: 'limit',
  type: 'number',
  read: (c) => (c.facts.limit === undefined ? NOT_APPLICABLE : estimate(c.facts.limit)),
};
