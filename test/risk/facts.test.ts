// Each fact module on its own: what a rule condition sees for a statement in a context. A fact
// that does not apply reads n/a (a rule on it is false); one that cannot be measured reads
// unknown (a comparison on it holds: fail closed).
import { describe, expect, it } from 'vitest';
import type { FactValue, StatementContext } from '../../src/risk/context.js';
import { FACTS } from '../../src/risk/facts/index.js';
import type { StatementFacts } from '../../src/sql/facts.js';
import { statementFacts } from '../support/statement-facts.js';

const facts = statementFacts;

const ctx = (
  over: Partial<StatementContext> = {},
  factsOver: Partial<StatementFacts> = {},
): StatementContext => ({
  environment: 'prod',
  database: 'test_db',
  file: 'migrations/test_db/V3__orders.sql',
  facts: facts(factsOver),
  tableRows: 'unknown',
  affectedRows: 'unknown',
  ...over,
});

const text = (...values: string[]): FactValue => ({ kind: 'text', values });
const num = (value: number): FactValue => ({ kind: 'number', value });
const bool = (value: boolean): FactValue => ({ kind: 'boolean', value });
const UNKNOWN: FactValue = { kind: 'unknown' };
const NA: FactValue = { kind: 'n/a' };

type Case = readonly [title: string, context: StatementContext, expected: FactValue];

const CASES: Record<string, readonly Case[]> = {
  environment: [['the environment the task deploys to', ctx(), text('prod')]],
  database: [['the database the task deploys to', ctx(), text('test_db')]],
  file: [['the migration file', ctx(), text('migrations/test_db/V3__orders.sql')]],
  table: [
    ['a qualified table reads qualified and bare', ctx(), text('shop.orders', 'orders')],
    ['a bare table reads as written', ctx({}, { tables: ['orders', 'items'] }), text('orders', 'items')],
    ['a statement on no table: n/a', ctx({}, { type: 'SET', tables: [] }), NA],
  ],
  statementType: [
    ['the Bytebase statement type', ctx({}, { type: 'DROP_TABLE', source: 'ddl' }), text('DROP_TABLE')],
  ],
  operation: [
    [
      "an ALTER's operations",
      ctx({}, { type: 'ALTER_TABLE', source: 'ddl', operations: ['ADD_COLUMN', 'DROP_INDEX'] }),
      text('ADD_COLUMN', 'DROP_INDEX'),
    ],
    ['no operations: n/a', ctx(), NA],
  ],
  hasWhere: [
    ['an UPDATE with a WHERE', ctx(), bool(true)],
    ['a DELETE without one', ctx({}, { type: 'DELETE', hasWhere: false }), bool(false)],
    ['anything else: n/a', ctx({}, { type: 'CREATE_TABLE', source: 'ddl', hasWhere: undefined }), NA],
  ],
  limit: [
    ['an UPDATE … LIMIT 100', ctx({}, { limit: 100 }), num(100)],
    ['no LIMIT: n/a', ctx(), NA],
  ],
  affectedRows: [
    ['INSERT … VALUES counts its rows from the text', ctx({}, { type: 'INSERT', insertRows: 3 }), num(3)],
    ['an UPDATE with an estimate', ctx({ affectedRows: 1200 }), num(1200)],
    ['an UPDATE without one is unknown', ctx(), UNKNOWN],
    ['a SELECT writes nothing: n/a', ctx({ affectedRows: 5 }, { type: 'SELECT' }), NA],
    ['DDL: n/a', ctx({ affectedRows: 5 }, { type: 'ALTER_TABLE', source: 'ddl' }), NA],
  ],
  tableRows: [
    ['a table with an estimate', ctx({ tableRows: 5_000_000 }), num(5_000_000)],
    ['a table without one is unknown', ctx(), UNKNOWN],
    ['no table: n/a', ctx({ tableRows: 10 }, { tables: [] }), NA],
  ],
  destructive: [['Atlas category: destructive', ctx({}, { destructive: true }), bool(true)]],
  backwardIncompatible: [
    ['Atlas category: backward incompatible', ctx({}, { backwardIncompatible: true }), bool(true)],
  ],
  dataDependent: [['Atlas category: data dependent', ctx(), bool(false)]],
  tableRewrite: [['a table rewrite', ctx({}, { tableRewrite: true }), bool(true)]],
  hasAlgorithm: [['ALGORITHM= given', ctx({}, { hasAlgorithm: true }), bool(true)]],
  hasLock: [['LOCK= not given', ctx(), bool(false)]],
  onlineDdl: [
    [
      'how MySQL runs the ALTER',
      ctx({}, { type: 'ALTER_TABLE', source: 'ddl', onlineDdl: 'copy' }),
      text('copy'),
    ],
    ['not an ALTER or index: n/a', ctx(), NA],
  ],
  callsRoutine: [
    ['CALL runs SQL the reviewer cannot see', ctx({}, { type: 'CALL', callsRoutine: true }), bool(true)],
  ],
  dynamic: [['EXECUTE of a prepared statement', ctx({}, { dynamic: true }), bool(true)]],
  sessionOverride: [
    [
      'the variables a SET changes',
      ctx({}, { type: 'SET', tables: [], sessionOverrides: ['foreign_key_checks', 'global.sql_log_bin'] }),
      text('foreign_key_checks', 'global.sql_log_bin'),
    ],
    ['no SET: n/a', ctx(), NA],
  ],
  rehearsalFailed: [
    ['the rehearsal failed', ctx({ rehearsal: { failed: true, ms: 10 } }), bool(true)],
    ['the rehearsal passed', ctx({ rehearsal: { failed: false, ms: 10 } }), bool(false)],
    ['no rehearsal: unknown', ctx(), UNKNOWN],
  ],
  rehearsalMs: [
    ['the rehearsal measured it', ctx({ rehearsal: { ms: 840 } }), num(840)],
    ['no rehearsal: unknown', ctx(), UNKNOWN],
  ],
};

describe('risk facts', () => {
  it('every fact a rule may name has cases here', () => {
    expect([...FACTS.keys()].filter((name) => !(name in CASES))).toEqual([]);
    expect(Object.keys(CASES).filter((name) => !FACTS.has(name))).toEqual([]);
  });

  for (const [name, cases] of Object.entries(CASES)) {
    describe(name, () => {
      it.each(cases)('%s', (_title, context, expected) => {
        const fact = FACTS.get(name);
        expect(fact?.read(context)).toEqual(expected);
        // The declared type is what a known value carries.
        if (expected.kind === 'text' || expected.kind === 'number' || expected.kind === 'boolean')
          expect(fact?.type).toBe(expected.kind);
      });
    });
  }
});
