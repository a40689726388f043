import { type FactDefinition, text } from '../context.js';

export const environment: FactDefinition = {
  name: 'environment',
  type: 'text',
  read: (c) => text(c.environment),
};
