import { type FactDefinition, text } from '../context.js';

export const file: FactDefinition = { name: 'file', type: 'text', read: (c) => text(c.file) };
