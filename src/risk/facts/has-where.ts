import { bool, type FactDefinition, NOT_APPLICABLE } from '../context.js';

// Only UPDATE and DELETE have a WHERE that bounds a write; for anything else the fact does not apply.
export const hasWhere: FactDefinition = {
  name: 'hasWhere',
  type: 'boolean',
  read: (c) => (c.facts.hasWhere === undefined ? NOT_APPLICABLE : bool(c.facts.hasWhere)),
};
