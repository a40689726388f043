import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../support/cli.js';
import { TempRepo } from '../support/git-repo.js';
import { MariaDbServer } from '../support/mariadb.js';

let server: MariaDbServer;
const repos: TempRepo[] = [];

beforeAll(async () => {
  server = await MariaDbServer.start();
}, 60_000);
afterAll(async () => {
  await server?.stop();
});
afterEach(() => {
  for (const r of repos.splice(0)) r.cleanup();
});

/** main holds two migrations; the PR (branch feature) adds `pr`. */
function repoWithPr(pr: Record<string, string>): TempRepo {
  const repo = new TempRepo();
  repos.push(repo);
  repo.write({
    'migrations/test_db/1.0.0_init.sql': 'CREATE TABLE t1 (id INT PRIMARY KEY, name VARCHAR(20));\n',
    'migrations/test_db/1.0.1_orders.sql':
      '-- orders\nCREATE TABLE orders (id INT PRIMARY KEY, t1_id INT NOT NULL);\nCREATE INDEX ix_orders_t1 ON orders (t1_id);\n',
  });
  repo.commit('base');
  repo.git('checkout', '-q', '-b', 'feature');
  repo.write(pr);
  repo.commit('pr');
  return repo;
}

const masked = () => server.url.replace('root:@', 'root:***@');
const rehearseAt = (repo: TempRepo, ...args: string[]) =>
  cli(['rehearse', '--base', 'main', '--url', server.url, ...args], { cwd: repo.dir });

/** The report without its timings, which differ from run to run. */
function lines(stdout: string): string[] {
  return stdout
    .split('\n')
    .map((l) =>
      l.replace(/\d+(\.\d+)? (ms|s)\b/g, 'T').replaceAll(/sqlgate_rh_[0-9a-f]{8}_/g, 'sqlgate_rh_X_'),
    );
}

describe('sqlgate rehearse', { timeout: 60_000 }, () => {
  it('applies the base branch’s migrations, then the PR’s, and reports each statement’s time', async () => {
    const repo = repoWithPr({
      'migrations/test_db/1.0.2_email.sql':
        'ALTER TABLE t1 ADD COLUMN email VARCHAR(100);\n\nCREATE INDEX ix_t1_email ON t1 (email);\n',
    });
    const run = await rehearseAt(repo);
    expect(run.stderr).toContain('test_db: building the base (2 migrations)');
    expect(lines(run.stdout)).toEqual([
      `rehearsal on ${masked()}`,
      'test_db (scratch schema sqlgate_rh_X_test_db): base: 2 migrations applied in T',
      '  ✓ migrations/test_db/1.0.2_email.sql: applied, 2 statements in T',
      '      statement 1 (line 1): T',
      '      statement 2 (line 3): T',
      'rehearsal passed in T',
    ]);
    expect(run.code).toBe(0);
    // The scratch schema is gone afterwards.
    expect(await server.query("SHOW DATABASES LIKE 'sqlgate\\_rh\\_%'")).toEqual([]);
  });

  it('runs them with the deploy engine: the scratch schema keeps a history row per file (--keep)', async () => {
    const repo = repoWithPr({
      'migrations/test_db/1.0.2_email.sql': 'ALTER TABLE t1 ADD COLUMN email VARCHAR(100);\n',
    });
    const run = await rehearseAt(repo, '--keep', '--format', 'json');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report).toMatchObject({
      version: 1,
      state: 'passed',
      databases: [{ database: 'test_db', base: { files: 2 } }],
    });
    const schema = report.databases[0].schema as string;
    const rows = await server.query<{ file: string; status: string; statements_applied: number }>(
      `SELECT file, status, statements_applied FROM \`${schema}\`.sqlgate_history ORDER BY id`,
    );
    expect(rows).toEqual([
      { file: 'migrations/test_db/1.0.0_init.sql', status: 'success', statements_applied: 1 },
      { file: 'migrations/test_db/1.0.1_orders.sql', status: 'success', statements_applied: 2 },
      { file: 'migrations/test_db/1.0.2_email.sql', status: 'success', statements_applied: 1 },
    ]);
    await server.query(`DROP DATABASE \`${schema}\``);
  });

  it('builds the base in one batch per file, and the PR deploys on the history that leaves', async () => {
    const repo = new TempRepo();
    repos.push(repo);
    repo.write({
      'migrations/test_db/1.0.0_init.sql':
        'CREATE TABLE t1 (id INT PRIMARY KEY) -- a trailing comment\n;\nINSERT INTO t1 VALUES (1) # another\n;\n',
      'migrations/test_db/1.0.1_proc.sql':
        'DELIMITER //\nCREATE PROCEDURE p1()\nBEGIN\n  SELECT 1;\n  SELECT 2;\nEND//\nDELIMITER ;\nALTER TABLE t1 ADD COLUMN name VARCHAR(20);\n',
    });
    repo.commit('base');
    repo.git('checkout', '-q', '-b', 'feature');
    repo.write({
      'migrations/test_db/1.0.2_email.sql': 'ALTER TABLE t1 ADD COLUMN email VARCHAR(100) AFTER name;\n',
    });
    repo.commit('pr');
    const run = await rehearseAt(repo, '--keep', '--format', 'json');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report).toMatchObject({ state: 'passed', databases: [{ base: { files: 2 } }] });
    const schema = report.databases[0].schema as string;
    expect(
      await server.query(
        `SELECT file, status, statements_applied, statements_total FROM \`${schema}\`.sqlgate_history ORDER BY id`,
      ),
    ).toEqual([
      {
        file: 'migrations/test_db/1.0.0_init.sql',
        status: 'success',
        statements_applied: 2,
        statements_total: 2,
      },
      {
        file: 'migrations/test_db/1.0.1_proc.sql',
        status: 'success',
        statements_applied: 2,
        statements_total: 2,
      },
      {
        file: 'migrations/test_db/1.0.2_email.sql',
        status: 'success',
        statements_applied: 1,
        statements_total: 1,
      },
    ]);
    expect(
      await server.query(
        `SELECT ROUTINE_NAME AS r FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = '${schema}'`,
      ),
    ).toEqual([{ r: 'p1' }]);
    expect(await server.query(`SELECT * FROM \`${schema}\`.t1`)).toEqual([
      { id: 1, name: null, email: null },
    ]);
    await server.query(`DROP DATABASE \`${schema}\``);
  });

  it('reports a failing migration with the statement, its line in the file and the server’s error, and does not run later ones', async () => {
    const repo = repoWithPr({
      'migrations/test_db/1.0.2_rename.sql':
        'ALTER TABLE t1 ADD COLUMN email VARCHAR(100);\n-- then\nUPDATE t1\n  SET nope = 1;\n',
      'migrations/test_db/1.0.3_syntax.sql': 'ALTER TABLE t1 ADD COLUMN age INT;\n',
    });
    const run = await rehearseAt(repo);
    expect(lines(run.stdout)).toEqual([
      `rehearsal on ${masked()}`,
      'test_db (scratch schema sqlgate_rh_X_test_db): base: 2 migrations applied in T',
      "  ✗ migrations/test_db/1.0.2_rename.sql: failed at statement 2 (line 3): ER_BAD_FIELD_ERROR (1054): Unknown column 'nope' in 'SET'",
      '      statement 1 (line 1): T',
      '  · migrations/test_db/1.0.3_syntax.sql: not run (an earlier migration or down file failed)',
      'rehearsal failed in T',
    ]);
    expect(run.code).toBe(1);
  });

  it('starts a throwaway MariaDB server of its own when given no --url', async () => {
    const repo = repoWithPr({
      'migrations/test_db/1.0.2_email.sql': 'ALTER TABLE t1 ADD COLUMN email VARCHAR(100);\n',
    });
    const run = await cli(['rehearse', '--base', 'main'], { cwd: repo.dir });
    expect(run.stderr).toMatch(/^started a throwaway MariaDB server on port \d+$/m);
    expect(lines(run.stdout).slice(1)).toEqual([
      'test_db (scratch schema sqlgate_rh_X_test_db): base: 2 migrations applied in T',
      '  ✓ migrations/test_db/1.0.2_email.sql: applied, 1 statement in T',
      '      statement 1 (line 1): T',
      'rehearsal passed in T',
    ]);
    expect(run.code).toBe(0);
  });

  it('says so when the base branch’s own migrations do not apply, and tries none of the PR’s', async () => {
    const repo = repoWithPr({
      'migrations/test_db/1.0.2_email.sql': 'ALTER TABLE t1 ADD COLUMN email VARCHAR(100);\n',
    });
    repo.git('checkout', '-q', 'main');
    repo.write({ 'migrations/test_db/1.0.1.1_bad.sql': 'ALTER TABLE missing ADD COLUMN x INT;\n' });
    repo.commit('a bad migration reaches main');
    repo.git('checkout', '-q', 'feature');
    const run = await rehearseAt(repo);
    expect(lines(run.stdout).slice(1)).toEqual([
      "test_db (scratch schema sqlgate_rh_X_test_db): the base branch's migrations do not apply: migrations/test_db/1.0.1.1_bad.sql statement 1 (line 1): ER_NO_SUCH_TABLE (1146): Table 'sqlgate_rh_X_test_db.missing' doesn't exist; the PR's were not tried",
      '  · migrations/test_db/1.0.2_email.sql: not run (an earlier migration or down file failed)',
      'rehearsal failed in T',
    ]);
    expect(run.code).toBe(1);
  });

  it('places a syntax error on the line of the file the server points at (MariaDB names the line after the bad token)', async () => {
    const repo = repoWithPr({
      'migrations/test_db/1.0.2_typo.sql':
        '-- a comment\nCREATE TABLE t2 (\n  id INT PRIMARY KEY,\n  name VARCHAR(20) NOT NUL\n);\n',
    });
    const run = await rehearseAt(repo);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /✗ migrations\/test_db\/1\.0\.2_typo\.sql: failed at statement 1 \(line 5\): ER_PARSE_ERROR \(1064\): You have an error in your SQL syntax; .* near 'NUL\n\)' at line 4/,
    );
  });
});

describe('up → down → up', { timeout: 60_000 }, () => {
  it('passes when the schema after the down file equals the schema before the migration', async () => {
    const repo = repoWithPr({
      'migrations/test_db/1.0.2_email.sql':
        "ALTER TABLE t1 ADD COLUMN email VARCHAR(100) NOT NULL DEFAULT '';\nCREATE UNIQUE INDEX ux_t1_email ON t1 (email);\nCREATE TABLE audit (id INT PRIMARY KEY);\n",
      'migrations/test_db/1.0.2_email.down.sql':
        'DROP TABLE audit;\nDROP INDEX ux_t1_email ON t1;\nALTER TABLE t1 DROP COLUMN email;\n',
    });
    const run = await rehearseAt(repo);
    expect(lines(run.stdout).slice(2)).toEqual([
      '  ✓ migrations/test_db/1.0.2_email.sql: applied, 3 statements in T',
      '      statement 1 (line 1): T',
      '      statement 2 (line 2): T',
      '      statement 3 (line 3): T',
      '      up → down → up with migrations/test_db/1.0.2_email.down.sql: the schema after down matches the schema before up',
      'rehearsal passed in T',
    ]);
    expect(run.code).toBe(0);
  });

  it('fails naming every table, column and index that the down file does not restore', async () => {
    const repo = repoWithPr({
      'migrations/test_db/1.0.2_widen.sql':
        'ALTER TABLE t1 MODIFY name VARCHAR(50) NOT NULL;\nCREATE TABLE IF NOT EXISTS audit (id INT PRIMARY KEY);\nDROP INDEX IF EXISTS ix_orders_t1 ON orders;\n',
      'migrations/test_db/1.0.2_widen.down.sql': 'ALTER TABLE t1 MODIFY name VARCHAR(20) NOT NULL;\n',
    });
    const run = await rehearseAt(repo);
    expect(lines(run.stdout).slice(6)).toEqual([
      '      up → down → up with migrations/test_db/1.0.2_widen.down.sql: the schema after down differs from before up in 5 objects',
      '        column audit.id: before up (none); after down #1 int(11) NOT NULL',
      '        column t1.name: before up #2 varchar(20) NULL DEFAULT NULL COLLATE latin1_swedish_ci; after down #2 varchar(20) NOT NULL COLLATE latin1_swedish_ci',
      '        index audit.PRIMARY: before up (none); after down UNIQUE BTREE (id)',
      '        index orders.ix_orders_t1: before up BTREE (t1_id); after down (none)',
      '        table audit: before up (none); after down engine InnoDB, collation latin1_swedish_ci',
      'rehearsal failed in T',
    ]);
    expect(run.code).toBe(1);
  });

  it('reports a down file after which the migration does not apply again', async () => {
    const repo = repoWithPr({
      'migrations/test_db/1.0.2_audit.sql': 'CREATE TABLE audit (id INT PRIMARY KEY);\n',
      'migrations/test_db/1.0.2_audit.down.sql': 'SELECT 1;\n',
    });
    const run = await rehearseAt(repo);
    expect(lines(run.stdout).slice(4)).toEqual([
      "      after migrations/test_db/1.0.2_audit.down.sql, the migration did not apply again: statement 1 (line 1): ER_TABLE_EXISTS_ERROR (1050): Table 'audit' already exists",
      '        column audit.id: before up (none); after down #1 int(11) NOT NULL',
      '        index audit.PRIMARY: before up (none); after down UNIQUE BTREE (id)',
      '        table audit: before up (none); after down engine InnoDB, collation latin1_swedish_ci',
      'rehearsal failed in T',
    ]);
    expect(run.code).toBe(1);
  });

  it('reports a down file that fails with its statement and line', async () => {
    const repo = repoWithPr({
      'migrations/test_db/1.0.2_email.sql': 'ALTER TABLE t1 ADD COLUMN email VARCHAR(100);\n',
      'migrations/test_db/1.0.2_email.down.sql': '\nALTER TABLE t1 DROP COLUMN emial;\n',
    });
    const run = await rehearseAt(repo);
    expect(run.stdout).toContain(
      "      down file migrations/test_db/1.0.2_email.down.sql failed at statement 1 (line 2): ER_CANT_DROP_FIELD_OR_KEY (1091): Can't DROP COLUMN `emial`; check that it exists",
    );
    expect(run.code).toBe(1);
  });
});

describe('requireRollback', { timeout: 60_000 }, () => {
  const requireModerate = (repo: TempRepo) => {
    repo.git('checkout', '-q', 'main');
    repo.write({
      'policies/risk-rules.yaml':
        'unparsedLevel: high\nrequireRollback: moderate\nrules:\n  - title: DDL on Prod is High\n    source: ddl\n    level: high\n    when:\n      environment: prod\npreset: none\n',
    });
    repo.commit('require rollback plans');
    repo.git('checkout', '-q', 'feature');
    repo.git('rebase', '-q', 'main');
  };

  it('fails a migration at or above the level without a down file, naming the rule’s file:line', async () => {
    const repo = repoWithPr({
      'migrations/test_db/1.0.2_email.sql': 'ALTER TABLE t1 ADD COLUMN email VARCHAR(100);\n',
    });
    requireModerate(repo);
    const run = await rehearseAt(repo);
    expect(lines(run.stdout).slice(0, 2)).toEqual([
      `rehearsal on ${masked()}`,
      '✗ migrations/test_db/1.0.2_email.sql is high risk and has no down file migrations/test_db/1.0.2_email.down.sql (requireRollback: moderate at policies/risk-rules.yaml:2:18)',
    ]);
    expect(run.stdout).toContain('  ✓ migrations/test_db/1.0.2_email.sql: applied, 1 statement in');
    expect(run.code).toBe(1);
  });

  it('passes the same migration with its down file', async () => {
    const repo = repoWithPr({
      'migrations/test_db/1.0.2_email.sql': 'ALTER TABLE t1 ADD COLUMN email VARCHAR(100);\n',
      'migrations/test_db/1.0.2_email.down.sql': 'ALTER TABLE t1 DROP COLUMN email;\n',
    });
    requireModerate(repo);
    const run = await rehearseAt(repo);
    expect(run.stdout).not.toContain('no down file');
    expect(run.stdout).toContain('the schema after down matches the schema before up');
    expect(run.code).toBe(0);
  });
});
