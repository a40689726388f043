import { type FactDefinition, NOT_APPLICABLE, text } from '../context.js';

export const operation: FactDefinition = {
  name: 'operation',
  type: 'text',
  read: (c) => (c.facts.operations.length > 0 ? text(...c.facts.operations) : NOT_APPLICABLE),
};
