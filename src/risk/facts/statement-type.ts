import { type FactDefinition, text } from '../context.js';

export const statementType: FactDefinition = {
  name: 'statementType',
  type: 'text',
  read: (c) => text(c.facts.type),
};
