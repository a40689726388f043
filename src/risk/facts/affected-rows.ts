import { estimate, type FactDefinition, NOT_APPLICABLE } from '../context.js';

// INSERT ... VALUES knows its rows from the text; UPDATE and DELETE need EXPLAIN (--estimate).
export const affectedRows: FactDefinition = {
  name: 'affectedRows',
  type: 'number',
  read: (c) => {
    if (c.facts.insertRows !== undefined) return estimate(c.facts.insertRows);
    const writes = c.facts.source === 'dml' && c.facts.type !== 'SELECT' && c.facts.type !== 'TRANSACTION';
    return writes ? estimate(c.affectedRows) : NOT_APPLICABLE;
  },
};
