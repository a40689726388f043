import { estimate, type FactDefinition, NOT_APPLICABLE } from '../context.js';

export const tableRows: FactDefinition = {
  name: 'tableRows',
  type: 'number',
  read: (c) => (c.facts.tables.length === 0 ? NOT_APPLICABLE : estimate(c.tableRows)),
};
