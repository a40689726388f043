import { type FactDefinition, NOT_APPLICABLE, text } from '../context.js';

// instant | inplace | copy | unknown for ALTER TABLE, CREATE INDEX and DROP INDEX (src/sql/online-ddl.ts).
export const onlineDdl: FactDefinition = {
  name: 'onlineDdl',
  type: 'text',
  read: (c) => (c.facts.onlineDdl === undefined ? NOT_APPLICABLE : text(c.facts.onlineDdl)),
};
