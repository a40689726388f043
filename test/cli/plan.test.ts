import { afterEach, describe, expect, it } from 'vitest';
import { cli } from '../support/cli.js';
import { TempRepo } from '../support/git-repo.js';

const repos: TempRepo[] = [];
function repoWithBase(): TempRepo {
  const repo = new TempRepo();
  repos.push(repo);
  repo.write({
    'migrations/test_db/1.0.0_init.sql': 'CREATE TABLE t1 (id INT PRIMARY KEY, name VARCHAR(20));\n',
  });
  repo.commit('init');
  repo.git('checkout', '-q', '-b', 'feature');
  return repo;
}
afterEach(() => {
  for (const r of repos.splice(0)) r.cleanup();
});

describe('sqlgate plan', () => {
  it('prints the pipeline, each statement with file:line, the risk and the ordered flow', async () => {
    const repo = repoWithBase();
    repo.write({
      'migrations/test_db/1.0.1_add_email.sql':
        '-- add email\nALTER TABLE t1 ADD COLUMN email VARCHAR(100);\n',
    });
    repo.commit('add email');
    const run = await cli(['plan', '--base', 'main'], { cwd: repo.dir });
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toMatch(/^sqlgate plan: 1 migration file, main \([0-9a-f]{7}\) → HEAD \([0-9a-f]{7}\)$/);
    expect(lines.slice(2)).toEqual([
      '',
      'Test (automatic on merge)',
      '  migrations/test_db/1.0.1_add_email.sql  [low]',
      '    2:1     ALTER_TABLE      low      DDL on Test is Low (policies/risk-rules.yaml:10)',
      '',
      'Prod (manual: tag prod/* by workspace-owner, project-owner, dba)',
      '  migrations/test_db/1.0.1_add_email.sql  [HIGH]',
      '    2:1     ALTER_TABLE      HIGH     DDL on Prod is High (policies/risk-rules.yaml:5)',
      '',
      'Risk: high (ddl high)',
      'Approval flow: Tester → Project Owner → DBA (assigned to ddl × high, order strict)',
      '  1. Tester (tom)',
      '  2. Project Owner (olivia)',
      '  3. DBA (dana)',
    ]);
  });

  it('fails on a migration the deploy would refuse, with a line for each file, in every format; passes one it would run', async () => {
    const repo = repoWithBase();
    repo.write({
      'migrations/test_db/1.0.1_data.sql': "SET autocommit = 0;\nUPDATE t1 SET name = 'x';\n",
      'migrations/test_db/1.0.2_lock.sql': 'FLUSH TABLES WITH READ LOCK;\n',
      'migrations/test_db/1.0.3_fine.sql': "START TRANSACTION;\nUPDATE t1 SET name = 'y';\nCOMMIT;\n",
    });
    repo.commit('refused');
    const text = await cli(['plan', '--base', 'main'], { cwd: repo.dir });
    expect(text.code).toBe(1);
    expect(text.stderr.split('\n').filter((l) => l.startsWith('refused: '))).toEqual([
      expect.stringMatching(/^refused: migrations\/test_db\/1\.0\.1_data\.sql: line 1: changes autocommit/),
      expect.stringMatching(
        /^refused: migrations\/test_db\/1\.0\.2_lock\.sql: line 1: takes the server's global read lock/,
      ),
    ]);
    const json = await cli(['plan', '--base', 'main', '--format', 'json'], { cwd: repo.dir });
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout).deployRefusals).toEqual([
      expect.stringMatching(/^migrations\/test_db\/1\.0\.1_data\.sql: line 1: changes autocommit/),
      expect.stringMatching(
        /^migrations\/test_db\/1\.0\.2_lock\.sql: line 1: takes the server's global read lock/,
      ),
    ]);
  });

  it('takes down files as rollback plans, not migrations: a revised down file is not an edit of history', async () => {
    const repo = repoWithBase();
    repo.git('checkout', '-q', 'main');
    repo.write({ 'migrations/test_db/1.0.0_init.down.sql': 'DROP TABLE t1;\n' });
    repo.commit('down file');
    repo.git('checkout', '-q', '-b', 'revise');
    repo.write({
      'migrations/test_db/1.0.0_init.down.sql': 'DROP TABLE IF EXISTS t1;\n',
      'migrations/test_db/1.0.1_email.sql': 'ALTER TABLE t1 ADD COLUMN email VARCHAR(100);\n',
      'migrations/test_db/1.0.1_email.down.sql': 'ALTER TABLE t1 DROP COLUMN email;\n',
    });
    repo.commit('revise');
    const run = await cli(['plan', '--base', 'main', '--format', 'json'], { cwd: repo.dir });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout).migrations).toEqual([
      expect.objectContaining({ path: 'migrations/test_db/1.0.1_email.sql' }),
    ]);
    expect(run.code).toBe(0);
  });

  it('gives a stable JSON document', async () => {
    const repo = repoWithBase();
    repo.write({
      'migrations/test_db/1.0.1_add_email.sql': 'ALTER TABLE t1 ADD COLUMN email VARCHAR(100);\n',
    });
    const head = repo.commit('add email');
    const run = await cli(['plan', '--format', 'json'], { cwd: repo.dir });
    expect(run.code).toBe(0);
    const json = JSON.parse(run.stdout);
    expect(json).toMatchObject({
      version: 1,
      head: { commit: head },
      level: 'high',
      levelBySource: { ddl: 'high' },
      migrations: [
        {
          path: 'migrations/test_db/1.0.1_add_email.sql',
          database: 'test_db',
          version: '1.0.1',
          description: 'add email',
        },
      ],
      flows: [
        {
          reason: 'sql',
          id: 'tester-owner-dba',
          source: 'ddl',
          level: 'high',
          steps: [{ role: 'tester', members: ['tom'] }, { role: 'project-owner' }, { role: 'dba' }],
        },
      ],
      policyChange: null,
    });
    expect(json.tasks.map((t: { environment: string; level: string }) => [t.environment, t.level])).toEqual([
      ['test', 'low'],
      ['prod', 'high'],
    ]);
    expect(json.tasks[1].statements[0]).toEqual({
      index: 0,
      line: 1,
      column: 1,
      endLine: 1,
      endColumn: 44,
      type: 'ALTER_TABLE',
      source: 'ddl',
      level: 'high',
      tables: ['t1'],
      operations: ['ADD_COLUMN'],
      preview: 'ALTER TABLE t1 ADD COLUMN email VARCHAR(100)',
      rules: [
        { title: 'DDL on Prod is High', level: 'high', at: 'policies/risk-rules.yaml:5:5', unknownFacts: [] },
      ],
      unparsed: null,
      execution: null,
    });
  });

  it('reads policies from the base: a PR that lowers a rule is still judged by the old rule, and needs the policy flow', async () => {
    const repo = repoWithBase();
    repo.write({
      'policies/risk-rules.yaml':
        'rules:\n  - {title: DDL on Prod is High, source: ddl, level: low, when: {environment: prod}}\npreset: none\n',
      'migrations/test_db/1.0.1_drop.sql': 'ALTER TABLE t1 DROP COLUMN name;\n',
    });
    repo.commit('lower the bar');
    const run = await cli(['plan', '--format', 'json'], { cwd: repo.dir });
    const json = JSON.parse(run.stdout);
    expect(json.level).toBe('high');
    expect(json.flows.map((f: { reason: string; id: string }) => [f.reason, f.id])).toEqual([
      ['sql', 'tester-owner-dba'],
      ['policy-change', 'policy-change'],
    ]);
    expect(json.policyChange).toEqual({
      files: ['policies/risk-rules.yaml'],
      diff: ["rule 'DDL on Prod is High' level high → low", "rule 'DDL on Test is Low' (ddl, low) removed"],
    });
  });

  it('refuses an edit to an already-merged migration (history is append-only), changing nothing', async () => {
    const repo = repoWithBase();
    repo.write({ 'migrations/test_db/1.0.0_init.sql': 'CREATE TABLE t1 (id BIGINT PRIMARY KEY);\n' });
    const head = repo.commit('rewrite history');
    const run = await cli(['plan'], { cwd: repo.dir });
    expect(run.code).toBe(2);
    expect(run.stderr.split('\n')[0]).toBe(
      'migrations/test_db/1.0.0_init.sql: history is append-only: this migration is already on the base branch and was modified; add a new migration instead',
    );
    expect(repo.git('rev-parse', 'HEAD')).toBe(head);
    expect(repo.git('status', '--porcelain')).toBe('');
  });

  it('reports bad names, duplicate versions, unknown folders and unreadable SQL, each naming the file', async () => {
    const repo = repoWithBase();
    repo.write({
      'migrations/test_db/add_stuff.sql': 'SELECT 1;',
      'migrations/test_db/1.0_dup.sql': 'SELECT 1;',
      'migrations/nowhere/V1__x.sql': 'SELECT 1;',
      'migrations/test_db/1.0.2_binary.sql': Buffer.from([0x53, 0x00, 0x45, 0x00]),
    });
    repo.commit('bad');
    const run = await cli(['plan'], { cwd: repo.dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('migrations/test_db/add_stuff.sql: bad migration file name "add_stuff.sql"');
    expect(run.stderr).toContain(
      'migrations/test_db/1.0_dup.sql: duplicate version 1.0: migrations/test_db/1.0.0_init.sql has the same version',
    );
    expect(run.stderr).toContain(
      'migrations/nowhere/V1__x.sql: no database in policies/environments.yaml receives migrations/nowhere/ (folders in use: test_db)',
    );
  });

  it('refuses a new file name with shell characters, a Flyway name with one underscore and a file that is not .sql, changing nothing', async () => {
    const repo = repoWithBase();
    repo.write({
      "migrations/test_db/1.2.0_x'$(id>&2)'.sql": 'SELECT 1;',
      'migrations/test_db/V2_add_col.sql': 'ALTER TABLE t1 ADD COLUMN c INT;',
      'migrations/test_db/1.0.3_add_col.sq': 'ALTER TABLE t1 ADD COLUMN d INT;',
      'migrations/test_db/README.md': 'notes may stay',
      'migrations/test_db/.gitkeep': '',
    });
    const head = repo.commit('bad names');
    const run = await cli(['plan'], { cwd: repo.dir });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.split('\n')).toEqual([
      `migrations/test_db/1.0.3_add_col.sq: "1.0.3_add_col.sq" is not a .sql file, so sqlgate would never apply it; name it <version>_<description>.sql, or keep it outside migrations/ (Markdown notes and dotfiles may stay)`,
      `migrations/test_db/1.2.0_x'$(id>&2)'.sql: migration file name "1.2.0_x'$(id>&2)'.sql" has characters other than letters, digits, ".", "_" and "-" ("'" "$" "(" ">" "&" ")"); names are passed to shells and URLs, so rename it, e.g. 1.2.0_x_id_2.sql`,
      'migrations/test_db/V2_add_col.sql: "V2_add_col.sql" has a Flyway version (V2) and one underscore; Flyway names take two: V2__add_col.sql',
      '3 errors',
    ]);
    expect(repo.git('rev-parse', 'HEAD')).toBe(head);
    expect(repo.git('status', '--porcelain')).toBe('');
  });

  it('reports unreadable SQL naming the file', async () => {
    const repo = repoWithBase();
    repo.write({ 'migrations/test_db/1.0.2_binary.sql': Buffer.from([0x53, 0x00, 0x45, 0x00]) });
    repo.commit('binary');
    const run = await cli(['plan'], { cwd: repo.dir });
    expect(run.code).toBe(2);
    expect(run.stderr.split('\n')).toContain(
      'migrations/test_db/1.0.2_binary.sql: unreadable SQL: the file contains NUL bytes (is it binary or UTF-16?); save it as UTF-8 text',
    );
  });

  it('names a base ref that does not exist', async () => {
    const repo = repoWithBase();
    const run = await cli(['plan', '--base', 'develop'], { cwd: repo.dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /^sqlgate: git ref "develop" does not exist in .* \(fetch it, e.g\. git fetch origin main, or pass --base REF\)$/,
    );
  });

  it('evaluates a PR review list offline with --reviews, explaining what did not count', async () => {
    const repo = repoWithBase();
    repo.write({
      'migrations/test_db/1.0.1_add_email.sql': 'ALTER TABLE t1 ADD COLUMN email VARCHAR(100);\n',
    });
    const head = repo.commit('add email');
    const review = (id: number, login: string, minute: number) => ({
      id,
      user: { login },
      state: 'APPROVED',
      submitted_at: `2026-11-25T10:0${minute}:00Z`,
      commit_id: head,
    });
    repo.write({
      'reviews.json': JSON.stringify([review(1, 'dana', 1), review(2, 'tom', 2), review(3, 'devon', 3)]),
    });
    const run = await cli(['plan', '--reviews', 'reviews.json', '--author', 'devon'], { cwd: repo.dir });
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n').slice(-6)).toEqual([
      'Approvals for Tester → Project Owner → DBA: waiting for Project Owner (0 of 1)',
      '  ✓ 1. Tester: satisfied (approved by tom)',
      '  … 2. Project Owner: waiting (may approve: olivia)',
      '  · 3. DBA: not-yet-reachable',
      '  not counted: dana: too early: approved before Project Owner had approved; approve again',
      '  not counted: devon: the author of a pull request cannot approve it',
    ]);
  });

  it('says when there is nothing to approve', async () => {
    const repo = repoWithBase();
    repo.write({ 'README.md': 'docs only' });
    repo.commit('docs');
    const run = await cli(['plan'], { cwd: repo.dir });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('No migrations changed.');
    expect(run.stdout).toContain('Approval: none needed');
  });
});
