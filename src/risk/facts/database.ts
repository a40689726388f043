import { type FactDefinition, text } from '../context.js';

export const database: FactDefinition = { name: 'database', type: 'text', read: (c) => text(c.database) };
