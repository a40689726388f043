// Bytebase's default risk rules, so a team gets sensible levels before writing a rule of its own.
import type { Condition, RiskRule, RuleLevel } from '../policy/types.js';

const AT = { file: 'built-in preset bytebase', line: 0, column: 0 };

function typeRule(title: string, level: RuleLevel, types: string[]): RiskRule {
  const when: Condition = { kind: 'facts', facts: { statementType: types } };
  return { title, source: 'ddl', level, when, at: AT };
}

export const BYTEBASE_PRESET: readonly RiskRule[] = [
  typeRule('Bytebase preset: drop database, table or schema, truncate', 'high', [
    'DROP_DATABASE',
    'DROP_TABLE',
    'TRUNCATE',
  ]),
  // Not Bytebase's: what a procedure or prepared statement runs is invisible to the reviewer, so
  // it is never rated as a harmless "other" statement.
  {
    title: 'sqlgate preset: procedure calls and dynamic SQL (what they run is not visible)',
    source: 'ddl',
    level: 'moderate',
    when: {
      kind: 'any',
      of: [
        { kind: 'facts', facts: { callsRoutine: true } },
        { kind: 'facts', facts: { dynamic: true } },
      ],
    },
    at: AT,
  },
  { ...typeRule('Bytebase preset: delete and update', 'moderate', ['DELETE', 'UPDATE']), source: 'dml' },
  typeRule('Bytebase preset: alter table, drop index', 'moderate', ['ALTER_TABLE', 'DROP_INDEX']),
  {
    title: 'Bytebase preset: any other schema change',
    source: 'ddl',
    level: 'low',
    when: { kind: 'facts', facts: { statementType: '*' } },
    at: AT,
  },
  {
    title: 'Bytebase preset: any other data change',
    source: 'dml',
    level: 'low',
    when: { kind: 'facts', facts: { statementType: '*' } },
    at: AT,
  },
  {
    title: 'Bytebase preset: create database',
    source: 'create-database',
    level: 'low',
    when: { kind: 'facts', facts: { statementType: '*' } },
    at: AT,
  },
];
