import { type FactDefinition, NOT_APPLICABLE, text } from '../context.js';

// A rule on `table: orders` should match `shop.orders` too: both the qualified and the bare name count.
export const table: FactDefinition = {
  name: 'table',
  type: 'text',
  read: (c) => {
    if (c.facts.tables.length === 0) return NOT_APPLICABLE;
    const names = c.facts.tables.flatMap((t) => (t.includes('.') ? [t, t.slice(t.indexOf('.') + 1)] : [t]));
    return text(...names);
  },
};
