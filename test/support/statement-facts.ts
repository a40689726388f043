// What the analyser reports for one statement, as rule conditions and fact modules see it: an
// ordinary single-table DML statement with a WHERE, overridden field by field.
import type { StatementFacts } from '../../src/sql/facts.js';

export function statementFacts(over: Partial<StatementFacts> = {}): StatementFacts {
  return {
    type: 'UPDATE',
    source: 'dml',
    tables: ['shop.orders'],
    operations: [],
    hasWhere: true,
    destructive: false,
    backwardIncompatible: false,
    dataDependent: false,
    tableRewrite: false,
    hasAlgorithm: false,
    hasLock: false,
    callsRoutine: false,
    dynamic: false,
    sessionOverrides: [],
    parse: { ok: true, via: 'ast' },
    ...over,
  };
}
