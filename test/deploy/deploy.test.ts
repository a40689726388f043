import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../policy/seed-texts.js';
import { cli } from '../support/cli.js';
import {
  deployWorkdir,
  expectEachStatementOnce,
  makeWorkdir,
  removeWorkdirs,
  write,
} from '../support/deploy-workdir.js';
import { MariaDbServer } from '../support/mariadb.js';

let server: MariaDbServer;
const workdirs: string[] = [];
let dbCounter = 0;

beforeAll(async () => {
  server = await MariaDbServer.start();
}, 60_000);
afterAll(async () => {
  await server?.stop();
});
afterEach(() => {
  removeWorkdirs();
  for (const d of workdirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A working tree with the seed policies, its own database name and the given migrations. */
const workdir = (migrations: Record<string, string>) => makeWorkdir(server, migrations);

async function history(db: string) {
  return server.query<{
    version: string;
    status: string;
    statements_applied: number;
    statements_total: number;
    error: string | null;
    inflight_statement: number | null;
  }>(
    `SELECT version, status, statements_applied, statements_total, error, inflight_statement FROM ${db}.sqlgate_history ORDER BY id`,
  );
}

async function schemaSnapshot(): Promise<string> {
  const rows = await server.query(
    'SELECT TABLE_SCHEMA, TABLE_NAME, TABLE_ROWS, CREATE_TIME, UPDATE_TIME FROM information_schema.TABLES WHERE TABLE_SCHEMA LIKE "app_%" ORDER BY 1, 2',
  );
  const schemas = await server.query('SELECT SCHEMA_NAME FROM information_schema.SCHEMATA ORDER BY 1');
  const counts: unknown[] = [];
  for (const r of rows as { TABLE_SCHEMA: string; TABLE_NAME: string }[]) {
    counts.push(await server.query(`SELECT COUNT(*) AS n FROM \`${r.TABLE_SCHEMA}\`.\`${r.TABLE_NAME}\``));
  }
  return JSON.stringify({ rows, schemas, counts });
}

const deploy = (w: { dir: string; env: Record<string, string> }, ...args: string[]) =>
  cli(['deploy', '--env', 'test', ...args], { cwd: w.dir, env: w.env });

describe('deploy', () => {
  it('applies pending migrations in version order and records each in the history', async () => {
    const w = await workdir({
      'migrations/app/V10__later.sql': 'INSERT INTO t1 (id) VALUES (10);',
      'migrations/app/V2__create.sql':
        'CREATE TABLE t1 (id INT PRIMARY KEY);\nINSERT INTO t1 (id) VALUES (2);',
    });
    const run = await deploy(w);
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n').pop()).toBe(
      `✓ test/${w.db}: applied migrations/app/V2__create.sql (2 statements), migrations/app/V10__later.sql (1 statement)`,
    );
    expect(await server.query(`SELECT id FROM ${w.db}.t1 ORDER BY id`)).toEqual([{ id: 2 }, { id: 10 }]);
    expect(await history(w.db)).toEqual([
      {
        version: 'V2',
        status: 'success',
        statements_applied: 2,
        statements_total: 2,
        error: null,
        inflight_statement: null,
      },
      {
        version: 'V10',
        status: 'success',
        statements_applied: 1,
        statements_total: 1,
        error: null,
        inflight_statement: null,
      },
    ]);
    const [row] = await server.query<{ checksum: string; applied_by: string; execution_ms: number }>(
      `SELECT checksum, applied_by, execution_ms FROM ${w.db}.sqlgate_history LIMIT 1`,
    );
    expect(row?.checksum).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('re-applying is a no-op', async () => {
    const w = await workdir({
      'migrations/app/V1__create.sql': 'CREATE TABLE t1 (id INT);\nINSERT INTO t1 VALUES (1);',
    });
    await deploy(w);
    const before = await schemaSnapshot();
    const again = await deploy(w);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe(`✓ test/${w.db}: up to date (1 applied earlier)`);
    expect(await schemaSnapshot()).toBe(before);
  });

  it('ignores line endings and a BOM when comparing checksums', async () => {
    const w = await workdir({
      'migrations/app/V1__create.sql': 'CREATE TABLE t1 (id INT);\nINSERT INTO t1 VALUES (1);\n',
    });
    await deploy(w);
    write(w.dir, {
      'migrations/app/V1__create.sql': '\ufeffCREATE TABLE t1 (id INT);\r\nINSERT INTO t1 VALUES (1);\r\n',
    });
    expect((await deploy(w)).stdout).toBe(`✓ test/${w.db}: up to date (1 applied earlier)`);
  });

  it('refuses drift: an applied migration whose file changed, naming both checksums, changing nothing', async () => {
    const w = await workdir({
      'migrations/app/V1__create.sql': 'CREATE TABLE t1 (id INT);',
      'migrations/app/V2__more.sql': 'CREATE TABLE t2 (id INT);',
    });
    await deploy(w);
    write(w.dir, {
      'migrations/app/V1__create.sql': 'CREATE TABLE t1 (id BIGINT);',
      'migrations/app/V3__new.sql': 'CREATE TABLE t3 (id INT);',
    });
    const before = await schemaSnapshot();
    const run = await deploy(w);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      new RegExp(
        `^✗ test/${w.db}: refused: drift: migrations/app/V1__create.sql was applied with checksum sha256:[0-9a-f]{64} but the file now has sha256:[0-9a-f]{64}; applied migrations must not change`,
      ),
    );
    expect(await schemaSnapshot()).toBe(before);
  });

  it('refuses duplicate versions as bad input, changing nothing', async () => {
    const w = await workdir({
      'migrations/app/V1__a.sql': 'CREATE TABLE a (id INT);',
      'migrations/app/1_b.sql': 'CREATE TABLE b (id INT);',
    });
    const before = await schemaSnapshot();
    const run = await deploy(w);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      'migrations/app/V1__a.sql: duplicate version V1: migrations/app/1_b.sql has the same version',
    );
    expect(await schemaSnapshot()).toBe(before);
  });

  it('stops at a failing statement, records it, runs no later migration, and resumes there once fixed', async () => {
    const w = await workdir({
      'migrations/app/V1__data.sql':
        'CREATE TABLE t1 (id INT PRIMARY KEY);\nINSERT INTO t1 VALUES (1);\nINSERT INTO t1 VALUES (1);\nINSERT INTO t1 VALUES (3);',
      'migrations/app/V2__later.sql': 'CREATE TABLE t2 (id INT);',
    });
    const failed = await deploy(w);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain(
      `✗ test/${w.db}: failed: statement 3 of migrations/app/V1__data.sql (line 3) failed: ER_DUP_ENTRY (1062): Duplicate entry '1' for key 'PRIMARY'; later migrations were not run`,
    );
    expect(await history(w.db)).toEqual([
      {
        version: 'V1',
        status: 'failed',
        statements_applied: 2,
        statements_total: 4,
        error: "ER_DUP_ENTRY (1062): Duplicate entry '1' for key 'PRIMARY'",
        inflight_statement: null,
      },
    ]);
    expect(
      await server.query(
        `SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = '${w.db}' AND TABLE_NAME = 't2'`,
      ),
    ).toEqual([{ n: 0 }]);

    write(w.dir, {
      'migrations/app/V1__data.sql':
        'CREATE TABLE t1 (id INT PRIMARY KEY);\nINSERT INTO t1 VALUES (1);\nINSERT INTO t1 VALUES (2);\nINSERT INTO t1 VALUES (3);',
    });
    const resumed = await deploy(w);
    expect(resumed.code).toBe(0);
    // Statements 1 and 2 were not run again: a second CREATE or INSERT of 1 would have failed.
    expect(await server.query(`SELECT id FROM ${w.db}.t1 ORDER BY id`)).toEqual([
      { id: 1 },
      { id: 2 },
      { id: 3 },
    ]);
    expect((await history(w.db)).map((r) => [r.version, r.status, r.statements_applied])).toEqual([
      ['V1', 'success', 4],
      ['V2', 'success', 1],
    ]);
  });

  it('refuses to resume when a statement that already ran was edited', async () => {
    const w = await workdir({
      'migrations/app/V1__data.sql':
        'CREATE TABLE t1 (id INT PRIMARY KEY);\nINSERT INTO t1 VALUES (1);\nINSERT INTO t1 VALUES (1);',
    });
    await deploy(w);
    write(w.dir, {
      'migrations/app/V1__data.sql':
        'CREATE TABLE t1 (id BIGINT PRIMARY KEY);\nINSERT INTO t1 VALUES (1);\nINSERT INTO t1 VALUES (2);',
    });
    const before = await schemaSnapshot();
    const run = await deploy(w);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      'refused: statement 1 of migrations/app/V1__data.sql changed after it was applied',
    );
    expect(await schemaSnapshot()).toBe(before);
  });

  it('dry-run prints the statements and history writes and changes nothing', async () => {
    const w = await workdir({
      'migrations/app/V1__create.sql': 'CREATE TABLE t1 (id INT);\nINSERT INTO t1 VALUES (1);',
    });
    const before = await schemaSnapshot();
    const run = await deploy(w, '--dry-run');
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n')).toEqual([
      `${w.db}: would create table sqlgate_history`,
      expect.stringMatching(
        new RegExp(
          `^${w.db}: migrations/app/V1__create.sql: would insert a sqlgate_history row \\(version V1, sha256:[0-9a-f]{64}\\)$`,
        ),
      ),
      '  [1/2] line 1: CREATE TABLE t1 (id INT)',
      '  [2/2] line 2: INSERT INTO t1 VALUES (1)',
      '  then mark version V1 success',
      'dry run: nothing was changed',
      `· test/${w.db}: would apply migrations/app/V1__create.sql (2 statements)`,
    ]);
    expect(await schemaSnapshot()).toBe(before);
  });

  it('never prints a password, and names the variable of a bad URL', async () => {
    const w = await workdir({ 'migrations/app/V1__create.sql': 'CREATE TABLE t1 (id INT);' });
    await server.query("CREATE USER IF NOT EXISTS 'deployer'@'127.0.0.1' IDENTIFIED BY 'S3cret-pw'");
    await server.query("GRANT ALL ON *.* TO 'deployer'@'127.0.0.1'");
    const ok = await cli(['deploy', '--env', 'test'], {
      cwd: w.dir,
      env: { TEST_DB_URL: `mysql://deployer:S3cret-pw@127.0.0.1:${server.port}/` },
    });
    expect(ok.code).toBe(0);
    const wrong = await cli(['deploy', '--env', 'test'], {
      cwd: w.dir,
      env: { TEST_DB_URL: `mysql://deployer:Wrong-pw-123@127.0.0.1:${server.port}/` },
    });
    expect(wrong.code).toBe(2);
    expect(wrong.stdout).toContain(
      `cannot connect to mysql://deployer:***@127.0.0.1:${server.port}/: ER_ACCESS_DENIED_ERROR`,
    );
    for (const run of [ok, wrong]) expect(`${run.stdout}${run.stderr}`).not.toMatch(/S3cret-pw|Wrong-pw-123/);

    const bad = await cli(['deploy', '--env', 'test'], {
      cwd: w.dir,
      env: { TEST_DB_URL: 'postgres://x:secretpw@h/' },
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('sqlgate: TEST_DB_URL must be a mysql:// or mariadb:// URL, not postgres://…');
    const missing = await cli(['deploy', '--env', 'test'], { cwd: w.dir, env: {} });
    expect(missing.stderr).toContain('environment variable TEST_DB_URL is not set');
  });

  it('reports an unreachable server as bad input, changing nothing', async () => {
    const w = await workdir({ 'migrations/app/V1__create.sql': 'CREATE TABLE t1 (id INT);' });
    const run = await cli(['deploy', '--env', 'test'], {
      cwd: w.dir,
      env: { TEST_DB_URL: 'mysql://root:pw@127.0.0.1:1/' },
    });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe(
      `✗ test/${w.db}: error: cannot connect to mysql://root:***@127.0.0.1:1/: ECONNREFUSED connect ECONNREFUSED 127.0.0.1:1`,
    );
  });
});

describe('deploy locking', () => {
  it('lets exactly one of 5 concurrent deploy processes apply; the others report the lock', async () => {
    const statements = Array.from(
      { length: 8 },
      (_, i) => `INSERT INTO runs (statement) VALUES (${i});\nSELECT SLEEP(0.1);`,
    ).join('\n');
    const w = await workdir({
      'migrations/app/V1__create.sql': 'CREATE TABLE runs (statement INT);',
      'migrations/app/V2__slow.sql': statements,
    });
    const bin = join(REPO_ROOT, 'bin/sqlgate.js');
    const results = await Promise.all(
      Array.from(
        { length: 5 },
        () =>
          new Promise<{ code: number | null; out: string }>((resolve) => {
            const child = spawn(process.execPath, [bin, 'deploy', '--env', 'test', '--lock-timeout', '0'], {
              cwd: w.dir,
              env: { ...process.env, ...w.env },
            });
            let out = '';
            child.stdout.on('data', (d) => {
              out += d;
            });
            child.on('close', (code) => resolve({ code, out }));
          }),
      ),
    );
    const winners = results.filter((r) => r.code === 0);
    const losers = results.filter((r) => r.code !== 0);
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(4);
    for (const l of losers)
      expect(l.out).toMatch(
        /another deploy holds the lock \(connection \d+\); waited 0 s\. Nothing was changed/,
      );
    await expectEachStatementOnce(server, w.db, 8);
  }, 30_000);

  it('frees the lock when the deploy holding it is killed; its in-flight statement is then in doubt', async () => {
    const w = await workdir({
      'migrations/app/V1__slow.sql':
        'CREATE TABLE t1 (id INT);\nSELECT SLEEP(30);\nINSERT INTO t1 VALUES (1);',
    });
    const child = spawn(process.execPath, [join(REPO_ROOT, 'bin/sqlgate.js'), 'deploy', '--env', 'test'], {
      cwd: w.dir,
      env: { ...process.env, ...w.env },
    });
    const deadline = Date.now() + 15_000;
    while (
      (
        await server.query<{ n: number }>(
          `SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE INFO LIKE 'SELECT SLEEP(30)%'`,
        )
      )[0]?.n !== 1
    ) {
      if (Date.now() > deadline) throw new Error('the deploy never reached its slow statement');
      await new Promise((r) => setTimeout(r, 50));
    }
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    await server
      .query(
        "KILL QUERY (SELECT ID FROM information_schema.PROCESSLIST WHERE INFO LIKE 'SELECT SLEEP(30)%' LIMIT 1)",
      )
      .catch(() => {});
    const run = await deploy(w, '--lock-timeout', '10');
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      `? test/${w.db}: in-doubt: migrations/app/V1__slow.sql is in doubt: a deploy stopped while statement 2 was in flight`,
    );
    expect((await history(w.db))[0]).toMatchObject({
      status: 'in-doubt',
      statements_applied: 1,
      inflight_statement: 1,
    });
  }, 30_000);
});

describe('crash recovery (the server killed)', () => {
  let crashy: MariaDbServer;
  beforeAll(async () => {
    crashy = await MariaDbServer.start();
  }, 60_000);
  afterAll(async () => {
    await crashy?.stop();
  });

  async function setup(sql: string) {
    const dir = mkdtempSync(join(tmpdir(), 'sqlgate-crash-'));
    workdirs.push(dir);
    const db = `app_crash_${++dbCounter}`;
    await crashy.query(`CREATE DATABASE ${db}`);
    write(dir, { 'migrations/app/V1__work.sql': sql });
    const run = (onStatement?: NonNullable<Parameters<typeof deployWorkdir>[2]>['onStatement']) =>
      deployWorkdir(
        crashy,
        { dir, db, env: { TEST_DB_URL: crashy.url } },
        onStatement ? { onStatement } : {},
      );
    return { db, dir, run };
  }

  afterEach(async () => {
    // A failed test may leave the server down; the next one needs it.
    await crashy.query('SELECT 1').catch(() => crashy.boot());
  });

  it('killed between statements: the next deploy resumes at the next statement', async () => {
    const { db, run } = await setup(
      'CREATE TABLE t1 (id INT PRIMARY KEY);\nINSERT INTO t1 VALUES (1);\nCREATE TABLE t2 (id INT);',
    );
    const first = await run(async (p) => {
      if (p.statement === 2) await crashy.kill();
    });
    expect(first.status).toBe('failed');
    await crashy.boot();
    expect(
      await crashy.query(`SELECT status, statements_applied, inflight_statement FROM ${db}.sqlgate_history`),
    ).toEqual([{ status: 'running', statements_applied: 2, inflight_statement: null }]);
    const second = await run();
    expect(second).toMatchObject({
      status: 'applied',
      applied: [{ file: 'migrations/app/V1__work.sql', statements: 1 }],
    });
    expect(await crashy.query(`SELECT id FROM ${db}.t1 ORDER BY id`)).toEqual([{ id: 1 }]);
    expect(await crashy.query(`SHOW TABLES FROM ${db} LIKE 't2'`)).toHaveLength(1);
  }, 60_000);

  it('killed while consecutive INSERTs run as one transaction: none of them stays, and the next deploy runs them once', async () => {
    const { db, run } = await setup(
      'CREATE TABLE t1 (id INT PRIMARY KEY) ENGINE=InnoDB;\nINSERT INTO t1 VALUES (1);\nINSERT INTO t1 SELECT 2 FROM DUAL WHERE SLEEP(2) = 0;\nINSERT INTO t1 VALUES (3);',
    );
    const first = await run(async (p) => {
      if (p.statement === 1) setTimeout(() => void crashy.kill(), 500);
    });
    expect(first.status).toBe('failed');
    expect(first.message).toContain(
      'the connection was lost during statements 2–4 of migrations/app/V1__work.sql (lines 2–4, one transaction)',
    );
    await crashy.boot();
    expect(await crashy.query(`SELECT COUNT(*) AS n FROM ${db}.t1`)).toEqual([{ n: 0 }]);
    expect(
      await crashy.query(`SELECT status, statements_applied, inflight_statement FROM ${db}.sqlgate_history`),
    ).toEqual([{ status: 'running', statements_applied: 1, inflight_statement: null }]);
    const second = await run();
    expect(second).toMatchObject({
      status: 'applied',
      applied: [{ file: 'migrations/app/V1__work.sql', statements: 3 }],
    });
    expect(await crashy.query(`SELECT id FROM ${db}.t1 ORDER BY id`)).toEqual([
      { id: 1 },
      { id: 2 },
      { id: 3 },
    ]);
  }, 60_000);

  it('killed while a statement was in flight: in doubt until repaired, then resumes as told', async () => {
    const { db, dir, run } = await setup(
      'CREATE TABLE t1 (id INT PRIMARY KEY);\nSELECT SLEEP(2);\nINSERT INTO t1 VALUES (3);',
    );
    const first = await run(async (p) => {
      if (p.statement === 1) setTimeout(() => void crashy.kill(), 300);
    });
    expect(first.status).toBe('in-doubt');
    expect(first.message).toContain(
      'the connection was lost while statement 2 of migrations/app/V1__work.sql (line 2) was running; its outcome is unknown',
    );
    await crashy.boot();
    const refused = await run();
    expect(refused.status).toBe('in-doubt');
    expect(refused.message).toContain('run sqlgate repair --version V1 --mark applied|not-applied');
    expect(await crashy.query(`SELECT COUNT(*) AS n FROM ${db}.t1`)).toEqual([{ n: 0 }]);

    write(dir, {
      'policies/environments.yaml': `environments:\n  - {id: test, order: 1, rollout: automatic}\ndatabases:\n  - {name: ${db}, environment: test, urlEnv: TEST_DB_URL, migrations: app}\n`,
    });
    const repair = await cli(
      ['repair', '--env', 'test', '--database', db, '--version', 'V1', '--mark', 'not-applied'],
      { cwd: dir, env: { TEST_DB_URL: crashy.url } },
    );
    expect(repair.stderr).toBe('');
    expect(repair.stdout).toBe(
      `repaired ${db} version V1: statement 2 recorded as not-applied; status failed, 1/3 statements applied; the next deploy resumes at statement 2`,
    );
    const resumed = await run();
    expect(resumed).toMatchObject({ status: 'applied', applied: [{ statements: 2 }] });
    expect(await crashy.query(`SELECT id FROM ${db}.t1`)).toEqual([{ id: 3 }]);
    const [row] = await crashy.query<{ note: string }>(`SELECT note FROM ${db}.sqlgate_history`);
    expect(row?.note).toMatch(/statement 2 marked not-applied$/);
  }, 90_000);
});
