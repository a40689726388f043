import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../policy/seed-texts.js';
import { cli } from '../support/cli.js';

const temps: string[] = [];
/** A folder with the seed scenario's policies (as of policy tests' introduction) and the given files. */
function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'sqlgate-policytest-'));
  temps.push(dir);
  cpSync(join(REPO_ROOT, 'examples/seed/policies'), join(dir, 'policies'), { recursive: true });
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}
afterEach(() => {
  for (const d of temps.splice(0)) rmSync(d, { recursive: true, force: true });
});

// The seed's policies rate only DDL (preset: none), and validate says so.
const SEED_DML_WARNING =
  "policies/risk-rules.yaml:2:9: warning: no rule rates data changes (source dml), so they are level none and need no approval; add a rule for them, or drop preset: none to use Bytebase's";

const HEADER = '# yaml-language-server: $schema=../../schemas/policy-tests.schema.json\ncases:\n';

const SEED_CASES = `${HEADER}  - name: DDL on Test alone is low and needs no approval
    sql: ALTER TABLE t1 ADD COLUMN email VARCHAR(100);
    database: test_db
    environments: test
    expect: {level: low, flows: [], status: success, rules: [DDL on Test is Low]}
  - name: DDL on Prod needs Tester, then Project Owner, then DBA, in order
    sql: |
      -- add a column
      ALTER TABLE t1 ADD COLUMN email VARCHAR(100);
    database: test_db
    author: devon
    reviews:
      - {login: dana}
      - {login: devon}
      - {login: tom}
    expect:
      levels: {ddl: high, dml: none}
      flows: [tester-owner-dba]
      status: pending
      waiting: project-owner
      notCounted:
        - {login: dana, reason: too-early}
        - {login: devon, reason: author}
`;

describe('sqlgate test', { timeout: 30_000 }, () => {
  it('runs every case of policies/tests/ like a unit-test runner: one line per case, then N passed, N failed', async () => {
    const dir = project({ 'policies/tests/seed.yaml': SEED_CASES });
    const run = await cli(['test'], { cwd: dir });
    expect(run.stdout.split('\n')).toEqual([
      'policies/tests/seed.yaml',
      '  ✓ DDL on Test alone is low and needs no approval',
      '  ✓ DDL on Prod needs Tester, then Project Owner, then DBA, in order',
      '',
      '2 passed, 0 failed',
    ]);
    expect(run.code).toBe(0);
  });

  it('passes every case of the starter policies shipped in policies/tests/', async () => {
    const run = await cli(['test', '--policies', 'policies'], { cwd: REPO_ROOT });
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n').at(-1)).toMatch(/^\d+ passed, 0 failed$/);
    expect(run.stdout).toContain('✓ an unbounded DELETE FROM users needs the Project Owner, then the DBA');
  });

  it('shows a failed case as a diff of expected and actual, naming the rule that matched and its file:line', async () => {
    const dir = project({
      'policies/tests/lower.yaml': `${HEADER}  - name: DDL on Prod needs only the owner and the DBA
    sql: |
      -- add a column
      ALTER TABLE t1 ADD COLUMN email VARCHAR(100);
    database: test_db
    expect: {levels: {ddl: moderate}, flows: [owner-then-dba]}
`,
    });
    const run = await cli(['test'], { cwd: dir });
    expect(run.code).toBe(1);
    expect(run.stdout.split('\n')).toEqual([
      'policies/tests/lower.yaml',
      '  ✗ DDL on Prod needs only the owner and the DBA',
      '      at policies/tests/lower.yaml:3:5',
      '      - expected level of ddl: moderate',
      '      + actual   level of ddl: high',
      '          high: rule "DDL on Prod is High" (policies/risk-rules.yaml:5) matched policies/tests/lower.yaml:6 in prod: ALTER TABLE t1 ADD COLUMN email VARCHAR(100)',
      '      - expected flows: owner-then-dba',
      '      + actual   flows: tester-owner-dba',
      '          tester-owner-dba: assigned to ddl × high (policies/approval-flows.yaml:8)',
      '',
      '0 passed, 1 failed',
    ]);
  });

  it('explains an approval status, waiting step or uncounted approval that differs from the expectation', async () => {
    const dir = project({
      'policies/tests/approvals.yaml': `${HEADER}  - name: the DBA approving first is enough
    sql: DROP TABLE t1;
    database: test_db
    author: devon
    reviews: [{login: dana}, {login: tom}, {login: olivia}]
    expect: {status: success, notCounted: [{login: tom}]}
`,
    });
    const run = await cli(['test'], { cwd: dir });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      [
        '      - expected status: success',
        '      + actual   status: pending',
        '          tester-owner-dba: waiting for DBA (0 of 1)',
        '          not counted: dana (too-early): too early: approved before Project Owner had approved; approve again',
        '      - expected not counted: tom does not count',
        "      + actual   not counted: tom's approval counts or was not given",
      ].join('\n'),
    );
  });

  it('reads SQL from a file relative to the test file, and points at its lines', async () => {
    const dir = project({
      'policies/tests/files.yaml': `${HEADER}  - name: dropping a table on Prod is low
    file: sql/drop.sql
    database: test_db
    environments: [prod]
    path: migrations/test_db/2.0.0_drop.sql
    expect: {level: low}
`,
      'policies/tests/sql/drop.sql': '-- cleanup\n\nDROP TABLE t1;\n',
    });
    const run = await cli(['test'], { cwd: dir });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      '          high: rule "DDL on Prod is High" (policies/risk-rules.yaml:5) matched policies/tests/sql/drop.sql:3 in prod: DROP TABLE t1',
    );
  });

  it('gives --format json for tools', async () => {
    const dir = project({ 'policies/tests/seed.yaml': SEED_CASES });
    const run = await cli(['test', '--format', 'json'], { cwd: dir });
    expect(run.code).toBe(0);
    const json = JSON.parse(run.stdout);
    expect(json).toMatchObject({ version: 1, passed: 2, failed: 0 });
    expect(json.cases[1]).toMatchObject({
      name: 'DDL on Prod needs Tester, then Project Owner, then DBA, in order',
      file: 'policies/tests/seed.yaml',
      line: 8,
      passed: true,
      actual: {
        level: 'high',
        levels: { ddl: 'high' },
        flows: ['tester-owner-dba'],
        status: 'pending',
        waiting: ['project-owner'],
        rules: ['DDL on Test is Low', 'DDL on Prod is High'],
      },
      mismatches: [],
    });
  });

  it('runs only the files named on the command line', async () => {
    const dir = project({
      'policies/tests/seed.yaml': SEED_CASES,
      'other/one.yaml': `${HEADER}  - name: DML needs nothing
    sql: DELETE FROM t1 WHERE id = 1;
    database: test_db
    expect: {level: none, flows: []}
`,
    });
    const run = await cli(['test', 'other/one.yaml'], { cwd: dir });
    expect(run.stdout.split('\n')).toEqual([
      'other/one.yaml',
      '  ✓ DML needs nothing',
      '',
      '1 passed, 0 failed',
    ]);
  });

  it('reports errors in test files at file:line:column and exits 2', async () => {
    const dir = project({
      'policies/tests/bad.yaml': `${HEADER}  - name: typo
    sql: SELECT 1;
    database: test_db
    expect: {level: hihg, flow: [a]}
  - name: no SQL
    database: test_db
    expect: {level: high}
`,
      'policies/tests/missing.yaml': `${HEADER}  - name: a file that is not there
    file: sql/nope.sql
    database: test_db
    expect: {level: high}
  - name: both
    sql: SELECT 1;
    file: sql/nope.sql
    database: test_db
    expect: {level: high}
`,
      'policies/tests/tabs.yaml': 'cases:\n\t- name: x\n',
    });
    const run = await cli(['test'], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.split('\n')).toEqual([
      'policies/tests/bad.yaml:6:21: "level" is the string "hihg"; did you mean "high"? expected one of: none, low, moderate, high',
      'policies/tests/bad.yaml:6:27: unknown key "flow"; did you mean "flows"? allowed keys: level, levels, flows, rules, status, waiting, notCounted',
      'policies/tests/missing.yaml:4:11: SQL file not found: policies/tests/sql/nope.sql',
      'policies/tests/missing.yaml:7:5: case "both" needs its SQL: give either `sql:` (inline) or `file:` (a file relative to this test file), not both',
      'policies/tests/tabs.yaml:2:1: malformed YAML: a tab is used for indentation; indent with spaces',
      '5 errors',
    ]);
  });

  it('fails a case whose database the policies do not have, saying which they do', async () => {
    const dir = project({
      'policies/tests/db.yaml': `${HEADER}  - name: unknown database
    sql: DROP TABLE t1;
    database: shop
    expect: {level: high}
`,
    });
    const run = await cli(['test'], { cwd: dir });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('          no database "shop" in environments.yaml (databases: test_db)');
  });

  it('says where to put tests when there are none', async () => {
    const dir = project({});
    const run = await cli(['test'], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'sqlgate: no policy tests: policies/tests/ has no .yaml files (write cases there, or name test files)',
    );
  });
});

describe('sqlgate validate and policy tests', { timeout: 30_000 }, () => {
  it('warns about every rule and flow no policy test exercises, where each is declared', async () => {
    const dir = project({
      'policies/tests/seed.yaml': `${HEADER}  - name: DDL on Test alone is low
    sql: ALTER TABLE t1 ADD COLUMN email VARCHAR(100);
    database: test_db
    environments: test
    expect: {level: low}
`,
    });
    const run = await cli(['validate'], { cwd: dir });
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('ok: 5 roles, 2 rules, 2 flows, 2 environments, 2 databases');
    expect(run.stderr.split('\n')).toEqual([
      SEED_DML_WARNING,
      'policies/risk-rules.yaml:5:5: warning: rule "DDL on Prod is High" is not exercised by any policy test',
      'policies/approval-flows.yaml:5:5: warning: flow "owner-then-dba" is not needed by any policy test',
      'policies/approval-flows.yaml:8:5: warning: flow "tester-owner-dba" is not needed by any policy test',
      '3 warnings: the policy tests in policies/tests/ do not exercise every rule and flow; see sqlgate test',
    ]);
  });

  it('says in one line that there are no policy tests, rather than listing every rule and flow', async () => {
    const run = await cli(['validate'], { cwd: project({}) });
    expect(run.code).toBe(0);
    expect(run.stderr.split('\n')).toEqual([
      SEED_DML_WARNING,
      'policies/tests: warning: no policy tests, so 2 rules and 2 flows are not exercised; write cases in policies/tests/*.yaml (see sqlgate test)',
    ]);
  });

  it('with --strict, an unexercised rule or flow is an error (exit 2)', async () => {
    const dir = project({ 'policies/tests/seed.yaml': SEED_CASES });
    const run = await cli(['validate', '--strict'], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr.split('\n')).toEqual([
      'policies/approval-flows.yaml:5:5: flow "owner-then-dba" is not needed by any policy test (--strict)',
      '1 error',
    ]);
  });

  it('is silent when the tests exercise every rule and flow', async () => {
    const dir = project({
      'policies/tests/seed.yaml': `${SEED_CASES}  - name: the policy-change flow is the owner's
    sql: SELECT 1;
    database: test_db
    policyChange: true
    expect: {flows: [policy-change]}
`,
      'policies/approval-flows.yaml':
        'flows:\n  - {id: tester-owner-dba, title: T, steps: [tester, project-owner, dba]}\nassignments:\n  - {source: ddl, level: high, flow: tester-owner-dba}\n',
    });
    const run = await cli(['validate', '--strict'], { cwd: dir });
    expect(run).toEqual({
      code: 0,
      stdout: 'ok: 5 roles, 2 rules, 1 flow, 2 environments, 2 databases',
      stderr: SEED_DML_WARNING,
    });
  });
});
