// The plan as text (`sqlgate plan`) and as the stable JSON (`--format json`), read from one
// PlanResult: the seed scenario's PR (DDL for test_db: low on Test, high on Prod).
import { describe, expect, it } from 'vitest';
import { PLAN_JSON_VERSION, planJson } from '../../src/report/json.js';
import { planText } from '../../src/report/text.js';
import { planOf, SEED_PR } from '../support/seed-plan.js';

describe('the plan as text', () => {
  it('lists each environment, file and statement with its level and the rule that set it, then the flow', () => {
    expect(planText(planOf(SEED_PR)).split('\n')).toEqual([
      'sqlgate plan: 1 migration file, main (aaaaaaa) → HEAD (bbbbbbb)',
      'policies from the base (aaaaaaa)',
      '',
      'Test (automatic on merge)',
      '  migrations/test_db/1001_add_email.sql  [low]',
      '    1:1     ALTER_TABLE      low      DDL on Test is Low (policies/risk-rules.yaml:10)',
      '',
      'Prod (manual: tag prod/* by workspace-owner, project-owner, dba)',
      '  migrations/test_db/1001_add_email.sql  [HIGH]',
      '    1:1     ALTER_TABLE      HIGH     DDL on Prod is High (policies/risk-rules.yaml:5)',
      '',
      'Risk: high (ddl high)',
      'Approval flow: Tester → Project Owner → DBA (assigned to ddl × high, order strict)',
      '  1. Tester (tom)',
      '  2. Project Owner (olivia)',
      '  3. DBA (dana)',
    ]);
  });

  it('says when nothing changed and no approval is needed', () => {
    const text = planText(planOf({}));
    expect(text).toContain('sqlgate plan: 0 migration files, main (aaaaaaa) → HEAD (bbbbbbb)');
    expect(text).toContain('\nNo migrations changed.\n');
    expect(text).toContain('Risk: none\n');
    expect(text).toContain('Approval: none needed (no assignment covers this risk)');
  });

  it('names a statement it cannot parse and the policy change with its lines', () => {
    const plan = planOf(
      { 'migrations/test_db/1002_broken.sql': ['!ALTER TABLE users ADD COLUMN|Expected a column name'] },
      {
        policyChange: {
          files: ['policies/risk-rules.yaml'],
          diff: ["rule 'DDL on Prod is High' level high → low"],
        },
      },
    );
    const lines = planText(plan).split('\n');
    expect(lines).toContain(
      '    1:1     ALTER_TABLE      HIGH     sqlgate cannot parse this statement (Expected a column name); rated at unparsedLevel high; DDL on Prod is High (policies/risk-rules.yaml:5)',
    );
    expect(lines).toContain('Policy change: policies/risk-rules.yaml');
    expect(lines).toContain("  - rule 'DDL on Prod is High' level high → low");
  });
});

describe('the plan as JSON', () => {
  it('carries the version, the levels, each task with its statements and rules, and the flow with its members', () => {
    const json = planJson(planOf(SEED_PR));
    expect(json).toMatchObject({
      version: PLAN_JSON_VERSION,
      base: { ref: 'main', commit: 'a'.repeat(40) },
      head: { commit: 'b'.repeat(40) },
      level: 'high',
      levelBySource: { ddl: 'high' },
      migrations: [
        {
          path: 'migrations/test_db/1001_add_email.sql',
          database: 'test_db',
          version: '1001',
          description: 'add email',
        },
      ],
      policyChange: null,
    });
    expect(json.tasks.map((t) => [t.environment, t.level, t.databases])).toEqual([
      ['test', 'low', ['test_db']],
      ['prod', 'high', ['test_db']],
    ]);
    expect(json.tasks[1]?.statements).toEqual([
      {
        index: 0,
        line: 1,
        column: 1,
        endLine: 1,
        endColumn: 47,
        type: 'ALTER_TABLE',
        source: 'ddl',
        level: 'high',
        tables: ['users'],
        operations: ['ADD_COLUMN'],
        preview: 'ALTER TABLE users ADD COLUMN email VARCHAR(255)',
        rules: [
          {
            title: 'DDL on Prod is High',
            level: 'high',
            at: 'policies/risk-rules.yaml:5:5',
            unknownFacts: [],
          },
        ],
        unparsed: null,
        execution: null,
      },
    ]);
    expect(json.flows).toEqual([
      {
        reason: 'sql',
        id: 'tester-owner-dba',
        title: 'Tester → Project Owner → DBA',
        source: 'ddl',
        level: 'high',
        order: 'strict',
        steps: [
          { role: 'tester', title: 'Tester', count: 1, members: ['tom'] },
          { role: 'project-owner', title: 'Project Owner', count: 1, members: ['olivia'] },
          { role: 'dba', title: 'DBA', count: 1, members: ['dana'] },
        ],
      },
    ]);
  });

  it('is plain JSON: it survives a round trip unchanged (no bigint, no undefined, no Map)', () => {
    const json = planJson(planOf(SEED_PR));
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
  });

  it('an empty change has no tasks and no flows', () => {
    expect(planJson(planOf({}))).toMatchObject({ level: 'none', levelBySource: {}, tasks: [], flows: [] });
  });
});
