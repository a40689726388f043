import { describe, expect, it } from 'vitest';
import type { Condition } from '../../src/policy/types.js';
import { evaluateCondition } from '../../src/risk/conditions.js';
import type { StatementContext } from '../../src/risk/context.js';
import type { StatementFacts } from '../../src/sql/facts.js';
import { statementFacts } from '../support/statement-facts.js';

const facts = (over: Partial<StatementFacts> = {}): StatementFacts =>
  statementFacts({ type: 'DELETE', ...over });
const ctx = (over: Partial<StatementContext> = {}): StatementContext => ({
  environment: 'prod',
  database: 'tenant_07',
  file: 'migrations/tenant/V3__purge.sql',
  facts: facts(),
  tableRows: 'unknown',
  affectedRows: 'unknown',
  ...over,
});
const f = (facts: Record<string, unknown>): Condition => ({ kind: 'facts', facts: facts as never });

describe('rule conditions', () => {
  it.each<[string, Condition, StatementContext, string, string[]?]>([
    ['a value', f({ environment: 'prod' }), ctx(), 'true'],
    ['a different value', f({ environment: 'test' }), ctx(), 'false'],
    ['a list holds when any value matches', f({ statementType: ['UPDATE', 'DELETE'] }), ctx(), 'true'],
    ['a glob', f({ database: 'tenant_*' }), ctx(), 'true'],
    ['a glob on files', f({ file: 'migrations/*/V*__purge.sql' }), ctx(), 'true'],
    ['a bare table name matches a qualified table', f({ table: 'orders' }), ctx(), 'true'],
    ['booleans', f({ hasWhere: false }), ctx(), 'false'],
    [
      'a fact that does not apply is false',
      f({ hasWhere: true }),
      ctx({ facts: facts({ type: 'CREATE_TABLE', hasWhere: undefined }) }),
      'false',
    ],
    ['a comparison on a known number', f({ tableRows: { gt: 1000 } }), ctx({ tableRows: 5000 }), 'true'],
    ['a comparison that fails', f({ tableRows: { gt: 1000, lte: 2000 } }), ctx({ tableRows: 5000 }), 'false'],
    [
      'an unknown number makes a comparison hold (fail closed)',
      f({ affectedRows: { gt: 1000 } }),
      ctx(),
      'unknown',
      ['affectedRows'],
    ],
    [
      'not(unknown) stays unknown, so the rule still holds',
      { kind: 'not', of: f({ affectedRows: { lt: 10 } }) },
      ctx(),
      'unknown',
      ['affectedRows'],
    ],
    [
      'all: false wins over unknown',
      { kind: 'all', of: [f({ environment: 'test' }), f({ tableRows: { gt: 1 } })] },
      ctx(),
      'false',
    ],
    [
      'any: true wins over unknown',
      { kind: 'any', of: [f({ environment: 'prod' }), f({ tableRows: { gt: 1 } })] },
      ctx(),
      'true',
    ],
    [
      'any: unknown beats false',
      { kind: 'any', of: [f({ environment: 'test' }), f({ tableRows: { gt: 1 } })] },
      ctx(),
      'unknown',
      ['tableRows'],
    ],
    ['not of true', { kind: 'not', of: f({ environment: 'prod' }) }, ctx(), 'false'],
    [
      'INSERT row counts come from the text',
      f({ affectedRows: { gte: 3 } }),
      ctx({ facts: facts({ type: 'INSERT', insertRows: 3 }) }),
      'true',
    ],
    [
      'operations',
      f({ operation: 'DROP_COLUMN' }),
      ctx({
        facts: facts({ type: 'ALTER_TABLE', source: 'ddl', operations: ['ADD_COLUMN', 'DROP_COLUMN'] }),
      }),
      'true',
    ],
  ])('%s', (_name, condition, context, truth, unknown = []) => {
    expect(evaluateCondition(condition, context)).toEqual({ truth, unknown });
  });
});
