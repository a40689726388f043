// The plan as text (`sqlgate plan`) and as the stable JSON (`--format json`), read from one
// PlanResult: the seed scenario's PR (DDL for test_db: low on Test, high on Prod).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PlanResult, RequiredFlow } from '../../src/plan/plan.js';
import { loadPolicies, type PolicyTexts } from '../../src/policy/load.js';
import { POLICY_FILES, type PolicyFileKey } from '../../src/policy/types.js';
import { PLAN_JSON_VERSION, planJson } from '../../src/report/json.js';
import { planText } from '../../src/report/text.js';
import { evaluateRisk } from '../../src/risk/evaluate.js';
import type { AnalysedStatement } from '../../src/sql/analyse.js';
import { classifyByKeywords } from '../../src/sql/classify.js';
import { buildFacts, type ParseOutcome } from '../../src/sql/facts.js';
import { type MigrationName, parseMigrationName } from '../../src/sql/migration-name.js';
import { REPO_ROOT } from '../policy/seed-texts.js';

const SEED = join(REPO_ROOT, 'test/fixtures/seed-policies');
const texts: PolicyTexts = {};
for (const [key, name] of Object.entries(POLICY_FILES) as [PolicyFileKey, string][])
  if (existsSync(join(SEED, name))) texts[key] = readFileSync(join(SEED, name), 'utf8');
const loaded = loadPolicies(texts);
if (!loaded.ok) throw new Error('the seed policies do not load');
const policy = loaded.policy;

function statement(
  index: number,
  text: string,
  parse: ParseOutcome = { ok: true, via: 'ast' },
): AnalysedStatement {
  return {
    index,
    start: { line: index + 1, column: 1 },
    end: { line: index + 1, column: text.length },
    preview: text,
    bytes: text.length,
    facts: buildFacts(text, classifyByKeywords(text), undefined, parse),
  };
}

/** A plan of these files' statements; one written `!text|message` is one the parser could not read. */
function planOf(files: Record<string, readonly string[]>, extra: Partial<PlanResult> = {}): PlanResult {
  const migrations = Object.entries(files).map(([path, sql]) => ({
    migration: parseMigrationName(path) as MigrationName,
    statements: sql.map((s, i) => {
      const [text = '', message] = s.replace(/^!/, '').split('|');
      return statement(
        i,
        text,
        s.startsWith('!') ? { ok: false, reason: 'syntax', message: message ?? '' } : undefined,
      );
    }),
  }));
  const risk = evaluateRisk(policy, migrations);
  const flows: RequiredFlow[] = risk.flow
    ? [{ reason: 'sql', flow: risk.flow.flow, source: risk.flow.source, level: risk.flow.level }]
    : [];
  return {
    base: { ref: 'main', commit: 'a'.repeat(40) },
    head: { commit: 'b'.repeat(40) },
    policy,
    policiesDir: 'policies',
    migrationsDir: 'migrations',
    migrations: migrations.map((m) => m.migration),
    risk,
    flows,
    ...extra,
  };
}

const SEED_PR = {
  'migrations/test_db/1001_add_email.sql': ['ALTER TABLE users ADD COLUMN email VARCHAR(255)'],
};

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
      '    1:1     ALTER_TABLE      HIGH     unparsed: Expected a column name; DDL on Prod is High (policies/risk-rules.yaml:5)',
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
