import { type FactDefinition, NOT_APPLICABLE, text } from '../context.js';

// SET FOREIGN_KEY_CHECKS=0, sql_log_bin=0, sql_mode=...: the variables a statement changes, by
// name (lower-case); GLOBAL and PERSIST ones also as `global.<name>`. Not applicable when none.
export const sessionOverride: FactDefinition = {
  name: 'sessionOverride',
  type: 'text',
  read: (c) => (c.facts.sessionOverrides.length > 0 ? text(...c.facts.sessionOverrides) : NOT_APPLICABLE),
};
