// Exactly once under the faults real servers and CI produce, each on a throwaway server: the
// same server under two names, a cancel, session transactions, a crash inside a transaction,
// statements over max_allowed_packet, thousands of small statements, wait_timeout, a lost lock
// and a frozen server.
import { createHash } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseDatabaseUrl } from '../../src/db/url.js';
import { ControlSession } from '../../src/deploy/control.js';
import { lockName } from '../../src/deploy/lock.js';
import { MysqlRevisions } from '../../src/deploy/mysql-revisions.js';
import { cli } from '../support/cli.js';
import {
  deployWorkdir,
  expectEachStatementOnce,
  makeWorkdir,
  removeWorkdirs,
  spawnCli,
  type Workdir,
  waitForQuery,
  write,
} from '../support/deploy-workdir.js';
import { MariaDbServer } from '../support/mariadb.js';

let server: MariaDbServer;
beforeAll(async () => {
  server = await MariaDbServer.start();
}, 60_000);
afterAll(async () => {
  server?.thaw();
  await server?.stop();
});
afterEach(() => removeWorkdirs());

const deploy = (w: Workdir, ...args: string[]) =>
  cli(['deploy', '--env', 'test', ...args], { cwd: w.dir, env: w.env });

async function history(db: string) {
  return server.query<{
    version: string;
    status: string;
    statements_applied: number;
    inflight_statement: number | null;
  }>(`SELECT version, status, statements_applied, inflight_statement FROM ${db}.sqlgate_history ORDER BY id`);
}

const engine = (w: Workdir, options: Parameters<typeof deployWorkdir>[2] = {}) =>
  deployWorkdir(server, w, options);

describe('deploy faults', () => {
  it('locks the same server reached under two names: only one of two concurrent deploys applies', async () => {
    const inserts = Array.from(
      { length: 5 },
      (_, i) => `INSERT INTO runs VALUES (${i});\nDO SLEEP(1.5);`,
    ).join('\n');
    const w = await makeWorkdir(server, {
      'migrations/app/V1__create.sql': 'CREATE TABLE runs (statement INT);',
      'migrations/app/V2__slow.sql': inserts,
    });
    const byIp = spawnCli(['deploy', '--env', 'test', '--lock-timeout', '0'], { cwd: w.dir, env: w.env });
    await waitForQuery(server, 'DO SLEEP(1.5)');
    const byName = spawnCli(['deploy', '--env', 'test', '--lock-timeout', '0'], {
      cwd: w.dir,
      env: { TEST_DB_URL: `mysql://root@localhost:${server.port}/` },
    });
    const [first, second] = await Promise.all([byIp.done, byName.done]);
    expect(first.code).toBe(0);
    expect(second.code).toBe(1);
    expect(second.out).toMatch(
      /another deploy holds the lock \(connection \d+\); waited 0 s\. Nothing was changed/,
    );
    await expectEachStatementOnce(server, w.db, 5);
  }, 60_000);

  /**
   * A deploy of `pending`, after V1 made table t with one row, cancelled by SIGTERM while its
   * UPDATE of that row waits on another session's lock. `release` ends that session.
   */
  async function cancelledWhileRowHeld(pending: Record<string, string>) {
    const w = await makeWorkdir(server, {
      'migrations/app/V1__create.sql':
        'CREATE TABLE t (id INT PRIMARY KEY, n INT) ENGINE=InnoDB;\nINSERT INTO t VALUES (1, 0);',
    });
    expect((await deploy(w)).code).toBe(0);
    write(w.dir, pending);
    const holder = await server.connection(w.db);
    await holder.query('START TRANSACTION');
    await holder.query('UPDATE t SET n = n WHERE id = 1');
    const run = spawnCli(['deploy', '--env', 'test'], { cwd: w.dir, env: w.env });
    await waitForQuery(server, 'UPDATE t SET n = n + 1%');
    run.child.kill('SIGTERM');
    const result = await run.done;
    const release = async () => {
      await holder.query('ROLLBACK');
      await holder.end();
      // Had the UPDATE been left running, it would land now.
      await new Promise((r) => setTimeout(r, 300));
    };
    return { w, result, release };
  }

  it('on SIGTERM stops the running statement on the server, records it as not applied, releases the lock and says so', async () => {
    const { w, result, release } = await cancelledWhileRowHeld({
      'migrations/app/V2__bump.sql': 'UPDATE t SET n = n + 1 WHERE id = 1;',
    });
    expect(result.code).toBe(1);
    expect(result.out).toContain(
      `✗ test/${w.db}: failed: cancelled (SIGTERM) during statement 1 of migrations/app/V2__bump.sql (line 1): it was stopped on the server and its transaction rolled back, so it is recorded as not applied; the next deploy runs it again`,
    );
    // Nothing of it is left running, and releasing the row does not let it land later.
    expect(
      await server.query(
        `SELECT ID FROM information_schema.PROCESSLIST WHERE INFO LIKE 'UPDATE t SET n = n + 1%'`,
      ),
    ).toEqual([]);
    await release();
    expect(await server.query(`SELECT n FROM ${w.db}.t`)).toEqual([{ n: 0 }]);
    expect((await history(w.db))[1]).toMatchObject({
      version: 'V2',
      status: 'failed',
      statements_applied: 0,
    });
    expect((await deploy(w)).code).toBe(0);
    expect(await server.query(`SELECT n FROM ${w.db}.t`)).toEqual([{ n: 1 }]);
  }, 40_000);

  it('on SIGTERM during a DML file chained with others: that one is rolled back and recorded not applied, the one before stays applied, nothing after runs', async () => {
    const { w, result, release } = await cancelledWhileRowHeld({
      'migrations/app/V2__a.sql': 'CREATE TABLE a (id INT);',
      'migrations/app/V3__bump.sql': 'UPDATE t SET n = n + 1 WHERE id = 1;',
      'migrations/app/V4__c.sql': 'CREATE TABLE c (id INT);',
    });
    expect(result.code).toBe(1);
    expect(result.out).toContain('3 files of one statement each, in one packet');
    expect(result.out).toContain(
      `✗ test/${w.db}: failed: cancelled (SIGTERM) during statement 1 of migrations/app/V3__bump.sql (line 1): it was stopped on the server and its transaction rolled back, so it is recorded as not applied; the next deploy runs it again`,
    );
    await release();
    expect(await server.query(`SELECT n FROM ${w.db}.t`)).toEqual([{ n: 0 }]);
    expect(await server.query(`SHOW TABLES FROM ${w.db} LIKE 'c'`)).toEqual([]);
    expect((await history(w.db)).map((r) => [r.version, r.status, r.statements_applied])).toEqual([
      ['V1', 'success', 2],
      ['V2', 'success', 1],
      ['V3', 'failed', 0],
    ]);
    expect((await deploy(w)).code).toBe(0);
    expect(await server.query(`SELECT n FROM ${w.db}.t`)).toEqual([{ n: 1 }]);
    expect(await server.query(`SHOW TABLES FROM ${w.db} LIKE 'c'`)).toHaveLength(1);
  }, 40_000);

  it('repair refuses while the in-doubt statement is still running on the server', async () => {
    const w = await makeWorkdir(
      server,
      { 'migrations/app/V1__create.sql': 'CREATE TABLE t (id INT) ENGINE=InnoDB;' },
      { lockWaitTimeout: 60 },
    );
    expect((await deploy(w)).code).toBe(0);
    write(w.dir, { 'migrations/app/V2__alter.sql': 'ALTER TABLE t ADD COLUMN c INT;' });
    // An open transaction that read t holds its metadata lock: the ALTER waits for it.
    const holder = await server.connection(w.db);
    await holder.query('START TRANSACTION');
    await holder.query('SELECT * FROM t');
    const run = spawnCli(['deploy', '--env', 'test'], { cwd: w.dir, env: w.env });
    await waitForQuery(server, 'ALTER TABLE t ADD COLUMN c INT%');
    run.child.kill('SIGKILL');
    await run.done;
    const args = ['repair', '--env', 'test', '--database', w.db, '--version', 'V2', '--mark'];
    const early = await cli([...args, 'not-applied'], { cwd: w.dir, env: w.env });
    expect(early.code).toBe(1);
    expect(early.stderr).toMatch(
      new RegExp(
        `^sqlgate: statement 1 of version V2 is still running on ${w.db} \\(connection \\d+, for \\d+ s\\); wait until it ends \\(or KILL QUERY \\d+\\), then repair$`,
      ),
    );
    await holder.query('COMMIT');
    await holder.end();
    const deadline = Date.now() + 10_000;
    while (
      (
        await server.query(
          `SELECT ID FROM information_schema.PROCESSLIST WHERE INFO LIKE 'ALTER TABLE t ADD%'`,
        )
      ).length > 0
    ) {
      if (Date.now() > deadline) throw new Error('the ALTER never finished');
      await new Promise((r) => setTimeout(r, 50));
    }
    const later = await cli([...args, 'applied'], { cwd: w.dir, env: w.env });
    expect(later.stdout).toBe(
      `repaired ${w.db} version V2: statement 1 recorded as applied; status success, 1/1 statements applied`,
    );
  }, 40_000);

  it("counts a thread with the recorded connection id as the deploy's only if the server has been up since the deploy connected", async () => {
    const w = await makeWorkdir(server, {});
    const control = await ControlSession.open(parseDatabaseUrl('TEST_DB_URL', server.url), 5000);
    const sleeper = await server.connection(w.db);
    try {
      const history = new MysqlRevisions(control, w.db);
      await history.ensure();
      const id = sleeper.threadId;
      // Handled from the start: the KILL below can end it before the next await returns.
      const running = sleeper.query('SELECT SLEEP(20)').then(
        () => 'finished',
        (error: { code?: string }) => error.code,
      );
      await waitForQuery(server, 'SELECT SLEEP(20)');
      // A resumed file: it started long ago, but this deploy connected just now.
      await server.query(
        `INSERT INTO ${w.db}.sqlgate_history (version, version_key, description, file, checksum, statements_total,
           statements_applied, applied_hash, statement_hashes, status, applied_by, started_at, work_connection, work_connected_at)
         VALUES ('V1', '1', 'a', 'migrations/app/V1__a.sql', 'sha256:x', 2, 1, '', '[]', 'running', 'test',
           '2000-01-01 00:00:00', ${id}, NOW(3))`,
      );
      const row = async () => (await history.read())[0] as Parameters<typeof history.stillRunning>[0];
      expect(await history.stillRunning(await row())).toEqual({
        connection: id,
        seconds: expect.any(Number),
      });
      // Connected before the server last started: the thread with that id now is someone else.
      await server.query(`UPDATE ${w.db}.sqlgate_history SET work_connected_at = '2000-01-01 00:00:00'`);
      expect(await history.stillRunning(await row())).toBeNull();
      // The one asking is never the deploy's statement.
      await server.query(
        `UPDATE ${w.db}.sqlgate_history SET work_connected_at = NOW(3), work_connection = ${control.id}`,
      );
      expect(await history.stillRunning(await row())).toBeNull();
      // A table an older sqlgate made has no work_connected_at: started_at (long ago) decides.
      await server.query(
        `UPDATE ${w.db}.sqlgate_history SET work_connection = ${id}, started_at = '2000-01-01 00:00:00'`,
      );
      await server.query(`ALTER TABLE ${w.db}.sqlgate_history DROP COLUMN work_connected_at`);
      expect(await history.stillRunning(await row())).toBeNull();
      await server.query(`UPDATE ${w.db}.sqlgate_history SET started_at = NOW(3)`);
      expect(await history.stillRunning(await row())).toEqual({
        connection: id,
        seconds: expect.any(Number),
      });
      await server.query(`KILL QUERY ${id}`);
      expect(await running).toBe('ER_QUERY_INTERRUPTED');
    } finally {
      await sleeper.end();
      await control.close();
    }
  }, 30_000);

  it('refuses SET autocommit = 0 and an unfinished transaction before running anything', async () => {
    const w = await makeWorkdir(server, {
      'migrations/app/V1__create.sql': 'CREATE TABLE t (id INT) ENGINE=InnoDB;',
      'migrations/app/V2__data.sql':
        'SET autocommit = 0;\nINSERT INTO t VALUES (1);\nINSERT INTO t VALUES (2);',
    });
    const run = await deploy(w);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe(
      `✗ test/${w.db}: refused: migrations/app/V2__data.sql: line 1: changes autocommit: with autocommit off, everything after it stays in an open transaction that is rolled back when the deploy ends, while the history records it as applied. Remove it (wrap statements that belong together in START TRANSACTION … COMMIT instead)`,
    );
    expect(
      await server.query(
        `SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = '${w.db}' AND TABLE_NAME = 't'`,
      ),
    ).toEqual([{ n: 0 }]);
    write(w.dir, { 'migrations/app/V2__data.sql': 'START TRANSACTION;\nINSERT INTO t VALUES (1);' });
    expect((await deploy(w)).stdout).toContain(
      'refused: migrations/app/V2__data.sql: line 1: START TRANSACTION without a COMMIT',
    );
  });

  it('a START TRANSACTION … COMMIT block killed before its COMMIT is rerun whole, each row once, no repair', async () => {
    const w = await makeWorkdir(server, {
      'migrations/app/V1__block.sql': [
        'CREATE TABLE t (id INT PRIMARY KEY) ENGINE=InnoDB;',
        'START TRANSACTION;',
        'INSERT INTO t VALUES (1);',
        'INSERT INTO t SELECT 2 FROM DUAL WHERE SLEEP(1) = 0;',
        'COMMIT;',
        'INSERT INTO t VALUES (3);',
      ].join('\n'),
    });
    const first = engine(w);
    await waitForQuery(server, 'INSERT INTO t SELECT 2%');
    await server.kill();
    expect((await first).status).not.toBe('applied');
    await server.boot();
    expect(await history(w.db)).toEqual([
      { version: 'V1', status: 'running', statements_applied: 1, inflight_statement: null },
    ]);
    const second = await engine(w);
    expect(second).toMatchObject({
      status: 'applied',
      applied: [{ file: 'migrations/app/V1__block.sql', statements: 5 }],
    });
    expect(await server.query(`SELECT id FROM ${w.db}.t ORDER BY id`)).toEqual([
      { id: 1 },
      { id: 2 },
      { id: 3 },
    ]);
  }, 60_000);

  it('a statement over max_allowed_packet is not sent; the failure names the file, line and setting, and is recorded', async () => {
    await server.query('SET GLOBAL max_allowed_packet = 1048576');
    try {
      const big = `INSERT INTO big VALUES ('${'x'.repeat(2 * 1024 * 1024)}');`;
      const w = await makeWorkdir(server, {
        'migrations/app/V1__big.sql': `CREATE TABLE big (v LONGTEXT) ENGINE=InnoDB;\n${big}`,
      });
      const run = await deploy(w);
      expect(run.code).toBe(1);
      expect(run.stdout).toContain(
        `✗ test/${w.db}: failed: statement 2 of migrations/app/V1__big.sql (line 2) is 2.0 MB, more than the server accepts in one statement (max_allowed_packet = 1.0 MB); it was not sent. Raise max_allowed_packet on the server (SET GLOBAL max_allowed_packet = 4194304, and in its configuration), or split the statement`,
      );
      const [row] = await server.query<{ status: string; n: number; failed_hash: string }>(
        `SELECT status, CHAR_LENGTH(failed_sql) AS n, failed_hash FROM ${w.db}.sqlgate_history`,
      );
      expect(row).toEqual({
        status: 'failed',
        n: 2000,
        failed_hash: createHash('sha256').update(big.slice(0, -1)).digest('hex'),
      });
      await server.query('SET GLOBAL max_allowed_packet = 16777216');
      expect((await deploy(w)).code).toBe(0);
    } finally {
      await server.query('SET GLOBAL max_allowed_packet = 16777216');
    }
  }, 30_000);

  it('writes the history once per group of DML statements, in bytes that do not grow with the file', async () => {
    const count = 1500;
    const w = await makeWorkdir(server, {
      'migrations/app/V1__create.sql': 'CREATE TABLE t (id INT PRIMARY KEY) ENGINE=InnoDB;',
      'migrations/app/V2__rows.sql': Array.from(
        { length: count },
        (_, i) => `INSERT INTO t VALUES (${i});`,
      ).join('\n'),
    });
    const status = async () =>
      Object.fromEntries(
        (
          await server.query<{ Variable_name: string; Value: string }>(
            "SHOW GLOBAL STATUS WHERE Variable_name IN ('Bytes_received', 'Com_update', 'Com_insert')",
          )
        ).map((r) => [r.Variable_name, Number(r.Value)]),
      ) as Record<'Bytes_received' | 'Com_update' | 'Com_insert', number>;
    const before = await status();
    expect((await deploy(w)).code).toBe(0);
    const after = await status();
    // The statements themselves are ~30 bytes each; a group's O(1) history write and lock check
    // add ~600 per 200 of them (the file's first write also carries each statement's hash).
    expect(after.Bytes_received - before.Bytes_received).toBeLessThan(count * 200);
    expect(after.Com_update - before.Com_update).toBeLessThanOrEqual(Math.ceil(count / 200) + 5);
    expect(await server.query(`SELECT COUNT(*) AS n FROM ${w.db}.t`)).toEqual([{ n: count }]);
  }, 120_000);

  it('keeps the lock through a statement longer than wait_timeout', async () => {
    await server.query('SET GLOBAL wait_timeout = 2');
    try {
      const w = await makeWorkdir(server, {
        'migrations/app/V1__slow.sql': 'CREATE TABLE t (id INT);\nDO SLEEP(4);\nCREATE TABLE u (id INT);',
      });
      const run = await deploy(w);
      expect(run.stdout.split('\n').pop()).toBe(
        `✓ test/${w.db}: applied migrations/app/V1__slow.sql (3 statements)`,
      );
    } finally {
      await server.query('SET GLOBAL wait_timeout = 28800');
    }
  }, 30_000);

  it('says plainly when the lock is lost during a statement, and stops before the next one', async () => {
    const w = await makeWorkdir(server, {
      'migrations/app/V1__slow.sql': 'CREATE TABLE t (id INT);\nDO SLEEP(1.5);\nCREATE TABLE u (id INT);',
    });
    const running = engine(w);
    await waitForQuery(server, 'DO SLEEP(1.5)');
    const [holder] = await server.query<{ id: number }>(`SELECT IS_USED_LOCK('${lockName(w.db)}') AS id`);
    await server.query(`KILL CONNECTION ${holder?.id}`);
    const report = await running;
    expect(report.status).toBe('failed');
    expect(report.message).toMatch(
      /^lost the deploy lock before statement 3 of migrations\/app\/V1__slow\.sql \(line 3\) \(.*\); stopped there\. the history shows statement 2 of migrations\/app\/V1__slow\.sql in flight, so the next deploy reports it in doubt until sqlgate repair --version V1 records what happened$/,
    );
    expect(
      await server.query(
        `SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = '${w.db}' AND TABLE_NAME = 'u'`,
      ),
    ).toEqual([{ n: 0 }]);
  }, 30_000);

  it('a DML statement or group whose lock was lost while it ran does not commit, and says so', async () => {
    for (const rows of [
      'UPDATE t SET n = n + 1 WHERE id = 1 AND SLEEP(1.5) = 0;',
      'UPDATE t SET n = n + 1 WHERE id = 1 AND SLEEP(1.5) = 0;\nINSERT INTO t VALUES (2, 0);',
    ]) {
      const w = await makeWorkdir(server, {
        'migrations/app/V1__t.sql':
          'CREATE TABLE t (id INT PRIMARY KEY, n INT) ENGINE=InnoDB;\nINSERT INTO t VALUES (1, 10);',
        'migrations/app/V2__rows.sql': rows,
      });
      const running = engine(w);
      await waitForQuery(server, 'UPDATE t SET n = n + 1%');
      const [holder] = await server.query<{ id: number }>(`SELECT IS_USED_LOCK('${lockName(w.db)}') AS id`);
      await server.query(`KILL CONNECTION ${holder?.id}`);
      const report = await running;
      expect(report.status).toBe('failed');
      expect(report.message).toContain('the deploy lock was lost');
      expect(await server.query(`SELECT id, n FROM ${w.db}.t ORDER BY id`)).toEqual([{ id: 1, n: 10 }]);
    }
  }, 30_000);

  /** The engine's report on `w` when the server freezes (SIGSTOP) while it runs a query like `like`. */
  async function reportWhenFrozen(w: Workdir, like: string) {
    const running = engine(w, { controlTimeoutMs: 1500 });
    await waitForQuery(server, like);
    server.freeze();
    try {
      return await running;
    } finally {
      server.thaw();
    }
  }

  it('gives up on a frozen server with a clear line instead of waiting forever', async () => {
    const w = await makeWorkdir(server, {
      'migrations/app/V1__slow.sql': 'CREATE TABLE t (id INT);\nDO SLEEP(3);\nCREATE TABLE u (id INT);',
    });
    const report = await reportWhenFrozen(w, 'DO SLEEP(3)');
    expect(report.status).toBe('in-doubt');
    expect(report.message).toMatch(
      /^the connection was lost while statement 2 of migrations\/app\/V1__slow\.sql \(line 2\) was running; its outcome is unknown\. .*the server stopped answering \(the server did not answer within 2 s/,
    );
  }, 30_000);

  it('a frozen server during a chain of files: the report names the file that was running, from the answers that came before the freeze', async () => {
    const w = await makeWorkdir(server, {
      'migrations/app/V1__a.sql': 'CREATE TABLE a (id INT);',
      'migrations/app/V2__slow.sql': 'CREATE TABLE b ENGINE=InnoDB AS SELECT SLEEP(3) AS x;',
      'migrations/app/V3__c.sql': 'CREATE TABLE c (id INT);',
    });
    const report = await reportWhenFrozen(w, 'CREATE TABLE b ENGINE%');
    expect(report.status).toBe('in-doubt');
    expect(report.message).toMatch(
      /^the connection was lost while statement 1 of migrations\/app\/V2__slow\.sql \(line 1\) was running; its outcome is unknown\. .*the server stopped answering/,
    );
    expect(report.message).toContain(
      'the history shows statement 1 of migrations/app/V2__slow.sql in flight, so the next deploy reports it in doubt',
    );
    expect(report.applied).toEqual([{ file: 'migrations/app/V1__a.sql', statements: 1 }]);
    // What the history says, once the server answers again: V1 applied, V2 in flight.
    const rows = await history(w.db);
    expect(rows.map((r) => [r.version, r.status, r.statements_applied])).toEqual([
      ['V1', 'success', 1],
      ['V2', 'running', 0],
    ]);
  }, 30_000);
});

describe('deploy messages', () => {
  it('says when a migration has no statements', async () => {
    const w = await makeWorkdir(server, {
      'migrations/app/V1__nothing.sql': '-- nothing yet\n/* later */\n',
    });
    const run = await deploy(w);
    expect(run.stdout.split('\n').slice(-2)).toEqual([
      `✓ test/${w.db}: applied migrations/app/V1__nothing.sql (0 statements)`,
      '    warning: migrations/app/V1__nothing.sql has no statements (it is empty or only comments); it is recorded as applied with 0 statements',
    ]);
  });

  it('says when waiting for the lock was interrupted, and after how long', async () => {
    const w = await makeWorkdir(server, { 'migrations/app/V1__slow.sql': 'DO SLEEP(3);' });
    const holder = engine(w);
    await waitForQuery(server, 'DO SLEEP(3)');
    const waiting = deploy(w, '--lock-timeout', '30');
    const id = await waitForQuery(server, 'SELECT GET_LOCK(%');
    await server.query(`KILL QUERY ${id}`);
    const run = await waiting;
    expect(run.stdout).toMatch(
      new RegExp(
        `^✗ test/${w.db}: failed: waiting for the deploy lock was interrupted after \\d\\.\\d s\\. Nothing was changed; run again$`,
      ),
    );
    await holder;
  }, 30_000);
});
