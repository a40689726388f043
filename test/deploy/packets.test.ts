// The deploy sends its history writes and a statement in one packet (one round trip). What must
// hold, each on a throwaway server: a statement that might be two is never run as two; what a
// migration does to its session (sql_mode, character set) cannot bend the history writes; a
// statement's own error is told apart from a failed history write; a table that cannot roll back
// is found out before its statement runs; nothing the history records is lost.
import { execFileSync } from 'node:child_process';
import { constants, mkdtempSync } from 'node:fs';
import { open, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server, connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import mysql from 'mysql2/promise';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sendPacket, setMultiStatements } from '../../src/db/multi-statements.js';
import { parseDatabaseUrl } from '../../src/db/url.js';
import { WorkSession } from '../../src/deploy/execute.js';
import { cli } from '../support/cli.js';
import {
  deployWorkdir,
  makeWorkdir,
  removeWorkdirs,
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
  await server?.stop();
});
afterEach(() => removeWorkdirs());

const deploy = (w: Workdir, env: Record<string, string> = {}) =>
  cli(['deploy', '--env', 'test'], { cwd: w.dir, env: { ...w.env, ...env } });

/** Everything the CLI printed, on either stream. */
const said = (r: { stdout: string; stderr: string }) => `${r.stdout}\n${r.stderr}`;

async function history(db: string) {
  return server.query<{ version: string; status: string; statements_applied: number; applied_by: string }>(
    `SELECT version, status, statements_applied, applied_by FROM ${db}.sqlgate_history ORDER BY id`,
  );
}

/** Each file's version, status and statements applied, in order. */
async function progressOf(db: string) {
  return (await history(db)).map((r) => [r.version, r.status, r.statements_applied]);
}

/** Round trips (COM_QUERY packets) the deploy's connections sent, from the general log. */
async function packetsDuring(run: () => Promise<unknown>): Promise<string[]> {
  await server.query("SET GLOBAL log_output = 'TABLE'");
  await server.query('TRUNCATE mysql.general_log');
  await server.query('SET GLOBAL general_log = 1');
  try {
    await run();
  } finally {
    await server.query('SET GLOBAL general_log = 0');
  }
  const rows = await server.query<{ a: string }>(
    "SELECT CONVERT(argument USING utf8mb4) AS a FROM mysql.general_log WHERE command_type = 'Query' AND argument NOT LIKE 'SET GLOBAL general_log%'",
  );
  return rows.map((r) => r.a);
}

/** A deploy of `w`: what the CLI said, and the packets it sent. */
async function deployWatched(w: Workdir) {
  let run: Awaited<ReturnType<typeof deploy>> | undefined;
  const sent = await packetsDuring(async () => {
    run = await deploy(w);
  });
  return { run: run as NonNullable<typeof run>, sent };
}

/**
 * A proxy to the server that, once a client packet matches `marker`, passes no more of the
 * server's answers back and `cutMs` later drops the connection. With `serverGoesOn`, only the
 * client's side is dropped: the server runs on, as after a break only the client saw.
 */
async function answerSwallowingProxy(
  marker: (text: string) => boolean,
  cutMs: number,
  serverGoesOn = false,
): Promise<{ readonly port: number; close(): void }> {
  let armed = true;
  const proxy: Server = createServer((client) => {
    const upstream = tcpConnect(server.port, '127.0.0.1');
    let holding = false;
    client.on('data', (d) => {
      upstream.write(d);
      if (armed && marker(d.toString('latin1'))) {
        armed = false;
        holding = true;
        setTimeout(() => {
          client.destroy();
          if (!serverGoesOn) upstream.destroy();
        }, cutMs);
      }
    });
    upstream.on('data', (d) => {
      if (!holding && !client.destroyed) client.write(d);
    });
    for (const end of [client, upstream]) end.on('error', () => {});
    if (!serverGoesOn) client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
  return { port: (proxy.address() as { port: number }).port, close: () => proxy.close() };
}

describe('one packet per statement', () => {
  it('turns multi-statement mode on only for its own packets: a text with a ; still runs as one statement or not at all', async () => {
    const c = await mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'root' });
    try {
      await c.query('CREATE DATABASE mode_check');
      await c.query('CREATE TABLE mode_check.t (id INT)');
      await setMultiStatements(c, true);
      const ran = await sendPacket(c, ['DO 1', 'INSERT INTO mode_check.t VALUES (1)']);
      expect(ran.ok).toBe(true);
      const failed = await sendPacket(c, ['DO 1', 'INSERT INTO mode_check.nope VALUES (1)', 'DO 2']);
      expect(failed).toMatchObject({ ok: false, at: 1 });
      await setMultiStatements(c, false);
      await expect(
        c.query('INSERT INTO mode_check.t VALUES (2); INSERT INTO mode_check.t VALUES (3)'),
      ).rejects.toMatchObject({ code: 'ER_PARSE_ERROR' });
      expect(await server.query('SELECT id FROM mode_check.t ORDER BY id')).toEqual([{ id: 1 }]);
    } finally {
      await c.query('DROP DATABASE IF EXISTS mode_check');
      await c.end();
    }
  });

  it('sends each statement with its history write in one round trip, and a ; in a string alone', async () => {
    const w = await makeWorkdir(server, {
      'migrations/app/V1__create.sql': 'CREATE TABLE t (id INT PRIMARY KEY, note VARCHAR(20)) ENGINE=InnoDB;',
      'migrations/app/V2__alter.sql': 'ALTER TABLE t ADD COLUMN c INT NULL;',
      'migrations/app/V3__rows.sql':
        "INSERT INTO t (id, note) VALUES (1, 'a');\nINSERT INTO t (id, note) VALUES (2, 'semi;colon');\nINSERT INTO t (id, note) VALUES (3, 'c');",
    });
    const sent = await packetsDuring(async () => expect((await deploy(w)).code).toBe(0));
    const carrying = (text: string) => sent.filter((p) => p.includes(text));
    // The DDL rides at the end of its history write's packet.
    expect(carrying('CREATE TABLE t ')).toEqual([
      expect.stringMatching(/sqlgate_history[\s\S]*;\nCREATE TABLE t /),
    ]);
    expect(carrying('ALTER TABLE t ADD COLUMN c')).toEqual([
      expect.stringMatching(/sqlgate_history[\s\S]*;\nALTER TABLE t ADD COLUMN c INT NULL$/),
    ]);
    // The statement with a ; inside a string is a packet of its own: the server cannot split it.
    expect(carrying("'semi;colon'")).toEqual(["INSERT INTO t (id, note) VALUES (2, 'semi;colon')"]);
    // A DML statement's COMMIT rides in its packet too, after a last check of the lock; only the
    // statement sent alone has a COMMIT of its own.
    expect(carrying("VALUES (3, 'c')")).toEqual([
      expect.stringMatching(
        /START TRANSACTION;[\s\S]*;\nINSERT INTO t \(id, note\) VALUES \(3, 'c'\)\n;\nSET @sqlgate_check = [^;]*IS_USED_LOCK[^;]*;\nCOMMIT$/,
      ),
    ]);
    expect(sent.filter((p) => p === 'COMMIT')).toHaveLength(1);
    expect(await server.query(`SELECT id, note FROM ${w.db}.t ORDER BY id`)).toEqual([
      { id: 1, note: 'a' },
      { id: 2, note: 'semi;colon' },
      { id: 3, note: 'c' },
    ]);
    expect(await history(w.db)).toEqual([
      { version: 'V1', status: 'success', statements_applied: 1, applied_by: expect.any(String) },
      { version: 'V2', status: 'success', statements_applied: 1, applied_by: expect.any(String) },
      { version: 'V3', status: 'success', statements_applied: 3, applied_by: expect.any(String) },
    ]);
  }, 60_000);

  it('keeps writing the history right after a migration sets NO_BACKSLASH_ESCAPES, ANSI_QUOTES and another character set', async () => {
    const w = await makeWorkdir(server, {
      'migrations/app/V1__session.sql': [
        "SET SESSION sql_mode = 'NO_BACKSLASH_ESCAPES,ANSI_QUOTES,STRICT_TRANS_TABLES'",
        'SET NAMES latin1',
        'CREATE TABLE t (id INT PRIMARY KEY) ENGINE=InnoDB',
        'INSERT INTO t VALUES (1)',
        'ALTER TABLE t ADD COLUMN c INT NULL',
        'INSERT INTO t VALUES (2, 2)',
      ].join(';\n'),
    });
    // A name with a quote and a backslash: escaped the usual way, it would end the string early
    // under NO_BACKSLASH_ESCAPES.
    const actor = "o'hara\\x é";
    const result = await deploy(w, { GITHUB_ACTOR: actor });
    expect(result.code, result.stderr).toBe(0);
    expect(await server.query(`SELECT id FROM ${w.db}.t ORDER BY id`)).toEqual([{ id: 1 }, { id: 2 }]);
    expect(await history(w.db)).toEqual([
      { version: 'V1', status: 'success', statements_applied: 6, applied_by: actor },
    ]);
  }, 60_000);

  it("tells a statement's own error apart from a failed history write, even with the same error number", async () => {
    const w = await makeWorkdir(server, {
      'migrations/app/V1__create.sql': 'CREATE TABLE t (id INT PRIMARY KEY) ENGINE=InnoDB;',
      // ER_SUBQUERY_NO_1_ROW, the error sqlgate's own lock check raises.
      'migrations/app/V2__bad.sql':
        'INSERT INTO t VALUES (1);\nINSERT INTO t VALUES ((SELECT 1 UNION SELECT 2));',
    });
    const result = await deploy(w);
    expect(result.code).toBe(1);
    expect(said(result)).toContain('statement 2 of migrations/app/V2__bad.sql (line 2) failed');
    expect(said(result)).toContain('Subquery returns more than 1 row');
    expect(said(result)).not.toContain('lock was lost');
    expect(await server.query(`SELECT id FROM ${w.db}.t`)).toEqual([{ id: 1 }]);
    expect((await history(w.db))[1]).toMatchObject({ status: 'failed', statements_applied: 1 });
  }, 60_000);

  it('finds out in the packet that a table cannot roll back, and runs its statement in flight-first instead', async () => {
    const w = await makeWorkdir(server, {
      'migrations/app/V1__create.sql': 'CREATE TABLE m (id INT) ENGINE=MyISAM;',
      'migrations/app/V2__rows.sql': 'INSERT INTO m VALUES (1);\nINSERT INTO m VALUES (2);',
    });
    const sent = await packetsDuring(async () => expect((await deploy(w)).code).toBe(0));
    expect(await server.query(`SELECT id FROM ${w.db}.m ORDER BY id`)).toEqual([{ id: 1 }, { id: 2 }]);
    // The first INSERT's packet checked the engine and stopped before the INSERT; the INSERT then
    // ran after an "in flight" write, not inside a transaction, and so did the second, unchecked.
    const first = sent.filter((p) => /INSERT INTO m VALUES \(1\)(\n;\n[^\n]*;\nCOMMIT)?$/.test(p));
    expect(first).toEqual([
      expect.stringMatching(
        /START TRANSACTION;\nSET @sqlgate_check = [^;]*ENGINE = 'InnoDB'[\s\S]*INSERT INTO m VALUES \(1\)\n;\nSET @sqlgate_check = [^;]*IS_USED_LOCK[^;]*;\nCOMMIT$/,
      ),
      expect.not.stringContaining('START TRANSACTION'),
    ]);
    const second = sent.filter((p) => p.endsWith('INSERT INTO m VALUES (2)'));
    expect(second).toEqual([expect.not.stringMatching(/START TRANSACTION|ENGINE/)]);
    expect((await history(w.db))[1]).toMatchObject({ status: 'success', statements_applied: 2 });
  }, 60_000);

  it('reports a CALL that returned rows and then failed as the statement failing, not as a history write', async () => {
    const w = await makeWorkdir(server, { 'migrations/app/V1__call.sql': 'CALL p();' });
    await server.query(
      `CREATE PROCEDURE ${w.db}.p() BEGIN SELECT 1 AS one; SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'boom'; END`,
    );
    const result = await deploy(w);
    expect(result.code).toBe(1);
    expect(said(result)).toContain('statement 1 of migrations/app/V1__call.sql (line 1) failed');
    expect(said(result)).toContain('boom');
    expect(said(result)).not.toContain('history could not be written');
    expect(await history(w.db)).toEqual([
      { version: 'V1', status: 'failed', statements_applied: 0, applied_by: expect.any(String) },
    ]);
  }, 60_000);

  it('writes the history through the control connection once a migration changed its session (time zone, sql_mode, LOCK TABLES)', async () => {
    const w = await makeWorkdir(server, {
      'migrations/app/V1__session.sql': [
        "SET time_zone = '-10:00'",
        "SET SESSION sql_mode = CONCAT(@@sql_mode, ',EMPTY_STRING_IS_NULL')",
        'CREATE TABLE lt (id INT PRIMARY KEY) ENGINE=InnoDB',
      ].join(';\n'),
      'migrations/app/V2__empty.sql': '-- nothing yet\n',
      'migrations/app/V3__locked.sql':
        'LOCK TABLES lt WRITE;\nALTER TABLE lt ADD COLUMN c INT NULL;\nUNLOCK TABLES;',
      'migrations/app/V4__rows.sql': 'INSERT INTO lt VALUES (1, 1);',
    });
    const sent = await packetsDuring(async () => {
      const result = await deploy(w);
      expect(result.code, result.stderr).toBe(0);
    });
    // The first SET still shared a packet; from the second on, each statement went alone.
    expect(sent.filter((p) => p.endsWith("SET time_zone = '-10:00'"))).toEqual([
      expect.stringContaining('sqlgate_history'),
    ]);
    for (const text of ['CREATE TABLE lt ', 'ALTER TABLE lt ADD COLUMN c', 'INSERT INTO lt VALUES (1, 1)'])
      expect(sent.filter((p) => p.includes(text))).toEqual([expect.not.stringContaining('sqlgate_history')]);
    const rows = await server.query<{ version: string; status: string; ms: number; skew: number }>(
      `SELECT version, status, execution_ms AS ms, ABS(TIMESTAMPDIFF(SECOND, started_at, NOW())) AS skew FROM ${w.db}.sqlgate_history ORDER BY id`,
    );
    expect(rows.map((r) => [r.version, r.status])).toEqual([
      ['V1', 'success'],
      ['V2', 'success'],
      ['V3', 'success'],
      ['V4', 'success'],
    ]);
    // Written in the server's time zone, not the migration's.
    for (const r of rows) {
      expect(Number(r.ms)).toBeGreaterThanOrEqual(0);
      expect(Number(r.ms)).toBeLessThan(60_000);
      expect(Number(r.skew)).toBeLessThan(600);
    }
  }, 60_000);

  it('writes the history through the control connection after FLUSH TABLES … FOR EXPORT or WITH READ LOCK, which lock tables as LOCK TABLES does', async () => {
    const w = await makeWorkdir(server, {
      'migrations/app/V1__export.sql':
        'CREATE TABLE e (id INT) ENGINE=InnoDB;\nFLUSH TABLES e FOR EXPORT;\nUNLOCK TABLES;\nINSERT INTO e VALUES (1);',
      'migrations/app/V2__read.sql':
        'FLUSH TABLES e WITH /* only e */ READ LOCK;\nUNLOCK TABLES;\nINSERT INTO e VALUES (2);',
    });
    const run = await deploy(w);
    expect(said(run)).not.toContain('was not locked with LOCK TABLES');
    expect(run.code).toBe(0);
    expect(await progressOf(w.db)).toEqual([
      ['V1', 'success', 4],
      ['V2', 'success', 3],
    ]);
    expect(await server.query(`SELECT id FROM ${w.db}.e ORDER BY id`)).toEqual([{ id: 1 }, { id: 2 }]);
  }, 60_000);

  it('a connection killed while its history write waits: the statement after it was never sent, and the next deploy runs it once', async () => {
    const w = await makeWorkdir(server, {
      'migrations/app/V1__a.sql': 'CREATE TABLE a (id INT);',
      // Two statements: not sent in one packet with V1 (see the chain tests).
      'migrations/app/V2__b.sql': 'CREATE TABLE b (id INT);\nCREATE TABLE b2 (id INT);',
    });
    const blocker = await mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'root' });
    const run = (onStatement?: NonNullable<Parameters<typeof deployWorkdir>[2]>['onStatement']) =>
      deployWorkdir(server, w, onStatement ? { onStatement } : {});
    try {
      // Once V1 has run, hold its history row: V2's packet (V1 done, V2 in flight, CREATE TABLE b)
      // then waits on its first write, and the work connection is killed there.
      const deploying = run(async (p) => {
        if (p.file !== 'migrations/app/V1__a.sql') return;
        await blocker.query('START TRANSACTION');
        await blocker.query(`SELECT * FROM ${w.db}.sqlgate_history WHERE version = 'V1' FOR UPDATE`);
      });
      // The processlist shows the statement of the packet the thread is on: the history write.
      const waiting = await waitForQuery(server, `UPDATE \`${w.db}\`.sqlgate_history%`);
      await server.query(`KILL CONNECTION ${waiting}`);
      await blocker.query('ROLLBACK');
      const first = await deploying;
      expect(first.status).toBe('failed');
      expect(first.message).toContain('before statement 1 of migrations/app/V2__b.sql (line 1) was sent');
      expect(first.message).toContain('it was not run, and the next deploy runs it');
      expect(first.message).not.toContain('could not be updated');
      expect(await server.query(`SHOW TABLES FROM ${w.db} LIKE 'b'`)).toEqual([]);

      const second = await run();
      expect(second.status).toBe('applied');
      expect(await server.query(`SHOW TABLES FROM ${w.db} LIKE 'b'`)).toHaveLength(1);
      expect(await progressOf(w.db)).toEqual([
        ['V1', 'success', 1],
        ['V2', 'success', 2],
      ]);
    } finally {
      await blocker.end();
    }
  }, 60_000);

  it('runs consecutive INSERT/UPDATE/DELETE statements of a file as one transaction in one packet, and one by one when one fails', async () => {
    const w = await makeWorkdir(server, {
      'migrations/app/V1__t.sql': 'CREATE TABLE t (id INT PRIMARY KEY, n INT) ENGINE=InnoDB;',
      'migrations/app/V2__rows.sql':
        'INSERT INTO t VALUES (1, 0);\nINSERT INTO t VALUES (2, 0);\nUPDATE t SET n = 5 WHERE id = 2;\nDELETE FROM t WHERE id = 1;',
      'migrations/app/V3__dup.sql':
        'INSERT INTO t VALUES (3, 0);\nINSERT INTO t VALUES (2, 9);\nINSERT INTO t VALUES (4, 0);',
    });
    const sent = await packetsDuring(async () => expect((await deploy(w)).code).toBe(1));
    // V2: one packet, its four statements between the history write and the COMMIT, the lock
    // checked again just before it.
    expect(sent.filter((p) => p.includes('INSERT INTO t VALUES (1, 0)'))).toEqual([
      expect.stringMatching(
        /START TRANSACTION;[\s\S]*sqlgate_history[\s\S]*;\nINSERT INTO t VALUES \(1, 0\)\n;\nINSERT INTO t VALUES \(2, 0\)\n;\nUPDATE t SET n = 5 WHERE id = 2\n;\nDELETE FROM t WHERE id = 1\n;\nSET @sqlgate_check = [^;]*IS_USED_LOCK[^;]*;\nCOMMIT$/,
      ),
    ]);
    // V3's group failed at its second INSERT and was rolled back whole; run again one by one, the
    // first INSERT is kept and the failure is the second's, as if there had been no group.
    expect(sent.filter((p) => p.includes('INSERT INTO t VALUES (3, 0)'))).toHaveLength(2);
    expect(await server.query(`SELECT id, n FROM ${w.db}.t ORDER BY id`)).toEqual([
      { id: 2, n: 5 },
      { id: 3, n: 0 },
    ]);
    const rows = await server.query<{
      version: string;
      status: string;
      statements_applied: number;
      failed_statement: number | null;
    }>(
      `SELECT version, status, statements_applied, failed_statement FROM ${w.db}.sqlgate_history ORDER BY id`,
    );
    expect(rows).toEqual([
      { version: 'V1', status: 'success', statements_applied: 1, failed_statement: null },
      { version: 'V2', status: 'success', statements_applied: 4, failed_statement: null },
      { version: 'V3', status: 'failed', statements_applied: 1, failed_statement: 1 },
    ]);
  }, 60_000);

  it('a connection killed while a group of DML statements waits in its packet: read back as rolled back, and the next deploy runs the group once', async () => {
    const w = await makeWorkdir(server, {
      'migrations/app/V1__t.sql':
        'CREATE TABLE t (id INT PRIMARY KEY, n INT) ENGINE=InnoDB;\nINSERT INTO t VALUES (1, 1);',
      'migrations/app/V2__rows.sql': 'INSERT INTO t VALUES (2, 0);\nUPDATE t SET n = n + 1 WHERE id = 1;',
    });
    const blocker = await mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'root' });
    try {
      // Once V1 has run, hold row 1: V2's packet (history write, INSERT, UPDATE, COMMIT) then
      // waits on the UPDATE, and the work connection is killed there.
      const deploying = deployWorkdir(server, w, {
        onStatement: async (p) => {
          if (p.file !== 'migrations/app/V1__t.sql' || p.statement !== 2) return;
          await blocker.query('START TRANSACTION');
          await blocker.query(`SELECT * FROM ${w.db}.t WHERE id = 1 FOR UPDATE`);
        },
      });
      const waiting = await waitForQuery(server, 'UPDATE t SET n = n + 1%');
      await server.query(`KILL CONNECTION ${waiting}`);
      await blocker.query('ROLLBACK');
      const first = await deploying;
      expect(first.status).toBe('failed');
      expect(first.message).toContain(
        'the connection was lost while statements 1–2 of migrations/app/V2__rows.sql (lines 1–2, one transaction) ran',
      );
      expect(first.message).toContain('recorded as not applied and the next deploy runs them again');
      expect(await server.query(`SELECT id, n FROM ${w.db}.t ORDER BY id`)).toEqual([{ id: 1, n: 1 }]);

      const second = await deployWorkdir(server, w);
      expect(second.status).toBe('applied');
      expect(await server.query(`SELECT id, n FROM ${w.db}.t ORDER BY id`)).toEqual([
        { id: 1, n: 2 },
        { id: 2, n: 0 },
      ]);
      expect(await progressOf(w.db)).toEqual([
        ['V1', 'success', 2],
        ['V2', 'success', 2],
      ]);
    } finally {
      await blocker.end();
    }
  }, 60_000);

  it('commits a DML statement followed by a line comment in its packet: the COMMIT is never read as part of the comment', async () => {
    const w = await makeWorkdir(server, {
      'migrations/app/V1__t.sql': 'CREATE TABLE t (id INT PRIMARY KEY) ENGINE=InnoDB;',
      'migrations/app/V2__a.sql': 'INSERT INTO t VALUES (1) -- the first row',
      'migrations/app/V3__b.sql': 'INSERT INTO t VALUES (2) # the second row',
    });
    const sent = await packetsDuring(async () => expect((await deploy(w)).code).toBe(0));
    // Chained in one packet (V1's CREATE first), each INSERT with its own COMMIT after it.
    expect(sent.filter((p) => p.includes('INSERT INTO t VALUES'))).toEqual([
      expect.stringMatching(
        /INSERT INTO t VALUES \(1\)( -- the first row)?\n;\nSET @sqlgate_check = [^;]*IS_USED_LOCK[^;]*;\nCOMMIT;\n[\s\S]*INSERT INTO t VALUES \(2\)( # the second row)?\n;\nSET @sqlgate_check = [^;]*IS_USED_LOCK[^;]*;\nCOMMIT$/,
      ),
    ]);
    expect(await server.query(`SELECT id FROM ${w.db}.t ORDER BY id`)).toEqual([{ id: 1 }, { id: 2 }]);
    expect((await history(w.db)).map((r) => [r.version, r.status])).toEqual([
      ['V1', 'success'],
      ['V2', 'success'],
      ['V3', 'success'],
    ]);
  }, 60_000);

  it('a statement ending in a line comment does not hide what follows it in the packet; an open block comment fails the packet', async () => {
    await server.query('CREATE DATABASE comment_ends');
    await server.query('CREATE TABLE comment_ends.t (id INT PRIMARY KEY) ENGINE=InnoDB');
    const work = await WorkSession.open(parseDatabaseUrl('TEST_DB_URL', server.url), 'comment_ends', 5, 5000);
    try {
      const sent = await work.send(
        ['START TRANSACTION'],
        ['INSERT INTO t VALUES (1) -- the first row', 'INSERT INTO t VALUES (2) # the second row'],
        ['COMMIT'],
      );
      expect(sent).toEqual({ kind: 'applied' });
      // Committed: another connection sees both rows.
      expect(await server.query('SELECT id FROM comment_ends.t ORDER BY id')).toEqual([{ id: 1 }, { id: 2 }]);
      const open = await work.send(
        ['START TRANSACTION'],
        ['INSERT INTO t VALUES (3) /* never closed'],
        ['COMMIT'],
      );
      expect(open).toMatchObject({ kind: 'failed', at: 1, error: { code: 'ER_PARSE_ERROR' } });
      await work.run('ROLLBACK');
      expect(await server.query('SELECT id FROM comment_ends.t ORDER BY id')).toEqual([{ id: 1 }, { id: 2 }]);
    } finally {
      await work.close();
      await server.query('DROP DATABASE comment_ends');
    }
  });

  it('a CALL that returns rows runs once and counts as applied (its result sets are more than its statements)', async () => {
    const w = await makeWorkdir(server, {
      'migrations/app/V1__t.sql': 'CREATE TABLE t (id INT) ENGINE=InnoDB;',
      'migrations/app/V2__p.sql': 'CREATE PROCEDURE p() BEGIN INSERT INTO t VALUES (1); SELECT 1 AS one; END',
      'migrations/app/V3__call.sql': 'CALL p();',
    });
    expect((await deploy(w)).code).toBe(0);
    expect(await server.query(`SELECT id FROM ${w.db}.t`)).toEqual([{ id: 1 }]);
    expect((await history(w.db)).map((r) => [r.version, r.status])).toEqual([
      ['V1', 'success'],
      ['V2', 'success'],
      ['V3', 'success'],
    ]);
  }, 60_000);

  it('a connection lost just after a group of DML statements committed: stops there, and the history keeps what committed', async () => {
    const w = await makeWorkdir(server, {
      'migrations/app/V1__t.sql':
        'CREATE TABLE t (id INT PRIMARY KEY, n INT) ENGINE=InnoDB;\nINSERT INTO t VALUES (1, 10);',
      'migrations/app/V2__more.sql':
        'CREATE TABLE u (id INT);\nUPDATE t SET n = n + 1 WHERE id = 1;\nINSERT INTO t VALUES (2, 0);',
    });
    // A proxy that forwards the packet carrying V2's UPDATE and its COMMIT, then never returns
    // the server's answer and drops the connection: the server commits, the deploy hears nothing.
    const proxy = await answerSwallowingProxy(
      (text) => text.includes('UPDATE t SET n = n + 1') && text.includes('COMMIT'),
      800,
    );
    const port = proxy.port;
    try {
      const first = await deployWorkdir(server, w, {
        target: parseDatabaseUrl('TEST_DB_URL', `mysql://root@127.0.0.1:${port}/`),
      });
      expect(first.status).toBe('failed');
      expect(first.message).toContain(
        'just after statements 2–3 of migrations/app/V2__more.sql (lines 2–3, one transaction) committed',
      );
      expect(first.message).toContain(
        'migrations/app/V2__more.sql is recorded as applied, and the next deploy goes on after it',
      );
      expect(await server.query(`SELECT id, n FROM ${w.db}.t ORDER BY id`)).toEqual([
        { id: 1, n: 11 },
        { id: 2, n: 0 },
      ]);
      expect(await progressOf(w.db)).toEqual([
        ['V1', 'success', 2],
        ['V2', 'success', 3],
      ]);
      const second = await deployWorkdir(server, w);
      expect(second.status).toBe('up-to-date');
      expect(await server.query(`SELECT id, n FROM ${w.db}.t ORDER BY id`)).toEqual([
        { id: 1, n: 11 },
        { id: 2, n: 0 },
      ]);
    } finally {
      proxy.close();
    }
  }, 60_000);

  it('refuses a migration that names the history table, before anything runs', async () => {
    const w = await makeWorkdir(server, {
      'migrations/app/V1__create.sql': 'CREATE TABLE t (id INT);',
      'migrations/app/V2__shadow.sql': 'CREATE TEMPORARY TABLE sqlgate_history (id INT);',
    });
    const result = await deploy(w);
    expect(result.code).toBe(1);
    expect(said(result)).toContain('line 1: this statement names sqlgate_history');
    expect(await server.query(`SHOW TABLES FROM ${w.db} LIKE 't'`)).toEqual([]);
  }, 60_000);
});

describe('files of one statement each, chained in one packet', () => {
  it('sends them in one round trip, each after its own history write, a file of DML in its own transaction with its row', async () => {
    const w = await makeWorkdir(server, {
      'migrations/app/V1__a.sql': 'CREATE TABLE a (id INT PRIMARY KEY) ENGINE=InnoDB;',
      'migrations/app/V2__b.sql': 'CREATE TABLE b (id INT);',
      'migrations/app/V3__alter.sql': 'ALTER TABLE a ADD COLUMN n INT NULL;',
      'migrations/app/V4__row.sql': 'INSERT INTO a VALUES (1, 2);',
      'migrations/app/V5__row.sql': 'INSERT INTO a VALUES (2, 3);',
      'migrations/app/V6__c.sql': 'CREATE TABLE c (id INT);',
    });
    const sent = await packetsDuring(async () => expect((await deploy(w)).code).toBe(0));
    const check = 'SET @sqlgate_check[^;]*;';
    const row = (v: string) => `INSERT INTO [^;]*'${v}'[^;]*;\n${check}`;
    const applied = (v: string) => `UPDATE [^;]*WHERE version_key = '${v}';\n${check}`;
    const inTransaction = (...writes: string[]) => ['START TRANSACTION;', ...writes, 'COMMIT;'].join('\n');
    const innodbCheck =
      "SET @sqlgate_check = \\(SELECT 1 UNION SELECT 2 FROM DUAL WHERE NOT EXISTS [^;]*'a'[^;]*\\);";
    const lockCheckAndCommit = 'SET @sqlgate_check = [^;]*IS_USED_LOCK[^;]*;\nCOMMIT;';
    const packet = [
      // V1's start; CREATE a; V1 applied and V2's start; CREATE b; V2 applied and V3's start; ALTER.
      row('V1'),
      'CREATE TABLE a \\(id INT PRIMARY KEY\\) ENGINE=InnoDB\n;',
      inTransaction(applied('1'), row('V2')),
      'CREATE TABLE b \\(id INT\\)\n;',
      inTransaction(applied('2'), row('V3')),
      'ALTER TABLE a ADD COLUMN n INT NULL\n;',
      // The ALTER's completion commits on its own; then V4's row commits with its INSERT, after
      // a check that the table rolls back (asked again: the ALTER could have changed it).
      applied('3'),
      'START TRANSACTION;',
      innodbCheck,
      row('V4'),
      'INSERT INTO a VALUES \\(1, 2\\)\n;',
      lockCheckAndCommit,
      // V5 after a DML file: nothing to commit first. V6's start ("in flight") commits with V5.
      'START TRANSACTION;',
      innodbCheck,
      row('V5'),
      row('V6'),
      'INSERT INTO a VALUES \\(2, 3\\)\n;',
      lockCheckAndCommit,
      'CREATE TABLE c \\(id INT\\)',
    ].join('\n');
    expect(sent.filter((p) => p.includes('CREATE TABLE a '))).toEqual([
      expect.stringMatching(new RegExp(`^${packet}$`)),
    ]);
    expect(sent.filter((p) => p.includes('INSERT INTO a VALUES'))).toHaveLength(1);
    expect(await progressOf(w.db)).toEqual([
      ['V1', 'success', 1],
      ['V2', 'success', 1],
      ['V3', 'success', 1],
      ['V4', 'success', 1],
      ['V5', 'success', 1],
      ['V6', 'success', 1],
    ]);
    expect(await server.query(`SELECT * FROM ${w.db}.a ORDER BY id`)).toEqual([
      { id: 1, n: 2 },
      { id: 2, n: 3 },
    ]);
  }, 60_000);

  it('a file of the chain that fails: the ones before it are applied, it is recorded as failed, and nothing after it runs', async () => {
    const w = await makeWorkdir(server, {
      'migrations/app/V1__a.sql': 'CREATE TABLE a (id INT);',
      'migrations/app/V2__again.sql': 'CREATE TABLE a (id INT);',
      'migrations/app/V3__c.sql': 'CREATE TABLE c (id INT);',
    });
    const { run, sent } = await deployWatched(w);
    expect(run.code).toBe(1);
    expect(said(run)).toContain(
      "statement 1 of migrations/app/V2__again.sql (line 1) failed: ER_TABLE_EXISTS_ERROR (1050): Table 'a' already exists",
    );
    expect(said(run)).toContain(
      `${w.db}: 3 files of one statement each, in one packet: migrations/app/V1__a.sql … migrations/app/V3__c.sql`,
    );
    // All three went in one packet; the server stopped at the failure.
    expect(sent.filter((p) => p.includes('CREATE TABLE c'))).toEqual([
      expect.stringContaining('CREATE TABLE a (id INT)\n;'),
    ]);
    expect(await progressOf(w.db)).toEqual([
      ['V1', 'success', 1],
      ['V2', 'failed', 0],
    ]);
    expect(await server.query(`SHOW TABLES FROM ${w.db} LIKE 'c'`)).toEqual([]);
  }, 60_000);

  it('a connection lost during a file of the chain: the ones before are applied, that one is in doubt, nothing after it ran', async () => {
    const w = await makeWorkdir(server, {
      'migrations/app/V1__a.sql': 'CREATE TABLE a (id INT);',
      'migrations/app/V2__slow.sql': 'CREATE TABLE b ENGINE=InnoDB AS SELECT SLEEP(5) AS x;',
      'migrations/app/V3__c.sql': 'CREATE TABLE c (id INT);',
    });
    const deploying = deployWorkdir(server, w);
    await server.query(`KILL CONNECTION ${await waitForQuery(server, 'CREATE TABLE b ENGINE%')}`);
    const first = await deploying;
    expect(first.status).toBe('in-doubt');
    expect(first.message).toContain(
      'the connection was lost while statement 1 of migrations/app/V2__slow.sql (line 1) was running; its outcome is unknown',
    );
    expect(first.applied).toEqual([{ file: 'migrations/app/V1__a.sql', statements: 1 }]);
    expect(await progressOf(w.db)).toEqual([
      ['V1', 'success', 1],
      ['V2', 'in-doubt', 0],
    ]);
    expect(await server.query(`SHOW TABLES FROM ${w.db} LIKE 'c'`)).toEqual([]);
  }, 60_000);

  it("a connection lost while a file's history write waits in the chain: the file before is applied, that one was never sent, and the next deploy runs it once", async () => {
    const w = await makeWorkdir(server, {
      'migrations/app/V1__a.sql': 'CREATE TABLE a ENGINE=InnoDB AS SELECT SLEEP(1) AS x;',
      'migrations/app/V2__b.sql': 'CREATE TABLE b (id INT);',
    });
    const blocker = await mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'root' });
    try {
      const deploying = deployWorkdir(server, w);
      // While V1's statement runs, its history row (committed just before it) is held: the next
      // write of the packet (V1 applied, V2 in flight) then waits, and the connection is killed there
      // (which of its statements waits depends on the locks the scan took: either counts).
      await waitForQuery(server, 'CREATE TABLE a ENGINE%');
      await blocker.query('START TRANSACTION');
      await blocker.query(`SELECT * FROM ${w.db}.sqlgate_history WHERE version = 'V1' FOR UPDATE`);
      await server.query(`KILL CONNECTION ${await waitForQuery(server, `%\`${w.db}\`.sqlgate_history%`)}`);
      await blocker.query('ROLLBACK');
      const first = await deploying;
      expect(first.status).toBe('failed');
      expect(first.message).toContain('before statement 1 of migrations/app/V2__b.sql (line 1) was sent');
      expect(first.message).toContain('it was not run, and the next deploy runs it');
      expect(first.applied).toEqual([{ file: 'migrations/app/V1__a.sql', statements: 1 }]);
      expect(await server.query(`SHOW TABLES FROM ${w.db} LIKE 'b'`)).toEqual([]);
      expect(await progressOf(w.db)).toEqual([
        ['V1', 'success', 1],
        ['V2', 'failed', 0],
      ]);

      const second = await deployWorkdir(server, w);
      expect(second.status).toBe('applied');
      expect(await progressOf(w.db)).toEqual([
        ['V1', 'success', 1],
        ['V2', 'success', 1],
      ]);
      expect(await server.query(`SHOW TABLES FROM ${w.db} LIKE 'b'`)).toHaveLength(1);
    } finally {
      await blocker.end();
    }
  }, 60_000);
  it('a SET inside an executable comment changes the session too: nothing is chained after it, and the history is written apart', async () => {
    const w = await makeWorkdir(server, {
      'migrations/app/V1__mode.sql': "/*!40101 SET SESSION sql_mode = 'ANSI_QUOTES' */;",
      'migrations/app/V2__t.sql': 'CREATE TABLE t (id INT);',
    });
    const sent = await packetsDuring(async () => expect((await deploy(w)).code).toBe(0));
    expect(sent.filter((p) => p.includes('CREATE TABLE t'))).toEqual(['CREATE TABLE t (id INT)']);
    expect(await progressOf(w.db)).toEqual([
      ['V1', 'success', 1],
      ['V2', 'success', 1],
    ]);
  }, 60_000);

  it("a USE inside an executable comment selects another database too: nothing is chained after it, and the next file runs in the deploy's database", async () => {
    const w = await makeWorkdir(server, {
      'migrations/app/V1__use.sql': 'DO 0;',
      'migrations/app/V2__t.sql': 'CREATE TABLE t (id INT);',
    });
    await writeFile(join(w.dir, 'migrations/app/V1__use.sql'), `/*!40000 USE ${w.db}_other */;`);
    await server.query(`CREATE DATABASE ${w.db}_other`);
    try {
      expect((await deploy(w)).code).toBe(0);
      expect(await server.query(`SHOW TABLES FROM ${w.db} LIKE 't'`)).toHaveLength(1);
      expect(await server.query(`SHOW TABLES FROM ${w.db}_other`)).toEqual([]);
    } finally {
      await server.query(`DROP DATABASE IF EXISTS ${w.db}_other`);
    }
  }, 60_000);

  it('a break only the client saw, for a user whose name has an @: sqlgate still stops its own thread and names the right file', async () => {
    const w = await makeWorkdir(server, {
      'migrations/app/V1__a.sql': 'CREATE TABLE a (id INT);',
      'migrations/app/V2__slow.sql': 'CREATE TABLE b ENGINE=InnoDB AS SELECT SLEEP(1) AS x;',
      'migrations/app/V3__c.sql': 'CREATE TABLE c (id INT);',
    });
    await server.query("CREATE USER IF NOT EXISTS 'dep@example.com'@'%'");
    await server.query("GRANT ALL ON *.* TO 'dep@example.com'@'%'");
    const proxy = await answerSwallowingProxy((text) => text.includes('SLEEP(1)'), 2500, true);
    try {
      const first = await deployWorkdir(server, w, {
        target: parseDatabaseUrl('TEST_DB_URL', `mysql://dep%40example.com@127.0.0.1:${proxy.port}/`),
      });
      expect(first.status).toBe('in-doubt');
      expect(first.message).toContain('statement 1 of migrations/app/V3__c.sql (line 1) was running');
      expect(await progressOf(w.db)).toEqual([
        ['V1', 'success', 1],
        ['V2', 'success', 1],
        ['V3', 'in-doubt', 0],
      ]);
    } finally {
      proxy.close();
      await server.query("DROP USER IF EXISTS 'dep@example.com'@'%'");
    }
  }, 60_000);

  for (const [when, cutMs, inDoubt, applied] of [
    ['while the second statement runs', 400, 'V2__slow.sql', ['V1__a.sql']],
    ['after the server ran them all', 3500, 'V4__d.sql', ['V1__a.sql', 'V2__slow.sql', 'V3__c.sql']],
  ] as const) {
    it(`a break only the client saw, ${when}: the history the server wrote decides which file is in doubt`, async () => {
      const w = await makeWorkdir(server, {
        'migrations/app/V1__a.sql': 'CREATE TABLE a (id INT);',
        'migrations/app/V2__slow.sql': 'CREATE TABLE b ENGINE=InnoDB AS SELECT SLEEP(2) AS x;',
        'migrations/app/V3__c.sql': 'CREATE TABLE c (id INT);',
        'migrations/app/V4__d.sql': 'CREATE TABLE d (id INT);',
      });
      // No answer to the chain's packet comes back; the server goes on with it until sqlgate stops it.
      const proxy = await answerSwallowingProxy((text) => text.includes('SLEEP(2)'), cutMs, true);
      try {
        const first = await deployWorkdir(server, w, {
          target: parseDatabaseUrl('TEST_DB_URL', `mysql://root@127.0.0.1:${proxy.port}/`),
        });
        expect(first.status).toBe('in-doubt');
        expect(first.message).toContain(
          `the connection was lost while statement 1 of migrations/app/${inDoubt} (line 1) was running; its outcome is unknown`,
        );
        expect(first.applied).toEqual(applied.map((f) => ({ file: `migrations/app/${f}`, statements: 1 })));
        const version = inDoubt.slice(0, 2);
        expect(await progressOf(w.db)).toEqual([
          ...applied.map((f) => [f.slice(0, 2), 'success', 1]),
          [version, 'in-doubt', 0],
        ]);
        // The next deploy reads the same file in doubt, and runs nothing.
        const second = await deployWorkdir(server, w);
        expect({ status: second.status, message: second.message }).toEqual({
          status: 'refused',
          message: `migrations/app/${inDoubt} is in doubt: statement 1 was in flight when the connection was lost; check the database, then run sqlgate repair --version ${version} --mark applied|not-applied`,
        });
      } finally {
        proxy.close();
      }
    }, 60_000);
  }
});

describe('files of one DML statement each, as links of a chain', () => {
  it('a DML file of the chain that fails: rolled back and recorded as failed, the files before applied, nothing after it runs', async () => {
    const w = await makeWorkdir(server, {
      'migrations/app/V1__a.sql': 'CREATE TABLE a (id INT PRIMARY KEY) ENGINE=InnoDB;',
      'migrations/app/V2__one.sql': 'INSERT INTO a VALUES (1);',
      'migrations/app/V3__again.sql': 'INSERT INTO a VALUES (1);',
      'migrations/app/V4__c.sql': 'CREATE TABLE c (id INT);',
    });
    const { run, sent } = await deployWatched(w);
    expect(run.code).toBe(1);
    const output = said(run);
    expect(output).toContain(`${w.db}: 4 files of one statement each, in one packet`);
    expect(output).toContain(
      "statement 1 of migrations/app/V3__again.sql (line 1) failed: ER_DUP_ENTRY (1062): Duplicate entry '1' for key 'PRIMARY'",
    );
    expect(sent.filter((p) => p.includes('CREATE TABLE c'))).toEqual([
      expect.stringContaining('INSERT INTO a VALUES (1)\n;'),
    ]);
    expect(await progressOf(w.db)).toEqual([
      ['V1', 'success', 1],
      ['V2', 'success', 1],
      ['V3', 'failed', 0],
    ]);
    expect(await server.query(`SELECT id FROM ${w.db}.a`)).toEqual([{ id: 1 }]);
    expect(await server.query(`SHOW TABLES FROM ${w.db} LIKE 'c'`)).toEqual([]);
  }, 60_000);

  it('a DML file on a table that is not InnoDB (made so by an earlier link, even one known to be InnoDB before): found out in the packet before it runs, then run once in flight first', async () => {
    const w = await makeWorkdir(server, {
      'migrations/app/V1__x.sql': 'CREATE TABLE x (id INT) ENGINE=InnoDB;',
      'migrations/app/V2__row.sql': 'INSERT INTO x VALUES (1);',
      'migrations/app/V3__two.sql': 'DO 1;\nDO 2;',
      'migrations/app/V4__myisam.sql': 'ALTER TABLE x ENGINE=MyISAM;',
      'migrations/app/V5__row.sql': 'INSERT INTO x VALUES (2);',
      'migrations/app/V6__m.sql': 'CREATE TABLE m (id INT) ENGINE=MyISAM;',
      'migrations/app/V7__row.sql': 'INSERT INTO m VALUES (1);',
    });
    const sent = await packetsDuring(async () => expect((await deploy(w)).code).toBe(0));
    // Each chain's packet stopped at the InnoDB check (asked again for x after its ALTER, though
    // V2 had found it InnoDB); the file then went alone, after its in-flight write.
    expect(sent.filter((p) => p.includes('INSERT INTO x VALUES (2)'))).toEqual([
      expect.stringMatching(/ALTER TABLE x ENGINE=MyISAM[\s\S]*TABLE_NAME = 'x' AND ENGINE = 'InnoDB'/),
      expect.not.stringContaining('START TRANSACTION'),
    ]);
    // V7 was in that first packet too (never reached), then in a second chain, with V6.
    expect(sent.filter((p) => p.includes('INSERT INTO m VALUES (1)'))).toEqual([
      expect.stringContaining('ALTER TABLE x ENGINE=MyISAM'),
      expect.stringMatching(
        /^(?![\s\S]*ALTER TABLE x)[\s\S]*CREATE TABLE m \(id INT\) ENGINE=MyISAM[\s\S]*TABLE_NAME = 'm' AND ENGINE = 'InnoDB'/,
      ),
      expect.not.stringContaining('START TRANSACTION'),
    ]);
    expect(await server.query(`SELECT id FROM ${w.db}.x ORDER BY id`)).toEqual([{ id: 1 }, { id: 2 }]);
    expect(await server.query(`SELECT id FROM ${w.db}.m`)).toEqual([{ id: 1 }]);
    expect((await progressOf(w.db)).map(([, status]) => status)).toEqual(Array(7).fill('success'));
  }, 60_000);

  it('a DDL file whose start committed with the DML file before it: its failure and a lost connection during it are its own', async () => {
    const w = await makeWorkdir(server, {
      'migrations/app/V1__a.sql': 'CREATE TABLE a (id INT PRIMARY KEY) ENGINE=InnoDB;',
      'migrations/app/V2__row.sql': 'INSERT INTO a VALUES (1);',
      'migrations/app/V3__again.sql': 'CREATE TABLE a (id INT);',
    });
    const failed = await deploy(w);
    expect(failed.code).toBe(1);
    expect(said(failed)).toContain(
      "statement 1 of migrations/app/V3__again.sql (line 1) failed: ER_TABLE_EXISTS_ERROR (1050): Table 'a' already exists",
    );
    expect(await progressOf(w.db)).toEqual([
      ['V1', 'success', 1],
      ['V2', 'success', 1],
      ['V3', 'failed', 0],
    ]);

    const v = await makeWorkdir(server, {
      'migrations/app/V1__a.sql': 'CREATE TABLE a (id INT PRIMARY KEY) ENGINE=InnoDB;',
      'migrations/app/V2__row.sql': 'INSERT INTO a VALUES (1);',
      'migrations/app/V3__slow.sql': 'CREATE TABLE b ENGINE=InnoDB AS SELECT SLEEP(5) AS x;',
      'migrations/app/V4__c.sql': 'CREATE TABLE c (id INT);',
    });
    const deploying = deployWorkdir(server, v);
    await server.query(`KILL CONNECTION ${await waitForQuery(server, 'CREATE TABLE b ENGINE%')}`);
    const lost = await deploying;
    expect(lost.status).toBe('in-doubt');
    expect(lost.message).toContain('while statement 1 of migrations/app/V3__slow.sql (line 1) was running');
    expect(await progressOf(v.db)).toEqual([
      ['V1', 'success', 1],
      ['V2', 'success', 1],
      ['V3', 'in-doubt', 0],
    ]);
    expect(await server.query(`SELECT id FROM ${v.db}.a`)).toEqual([{ id: 1 }]);
  }, 60_000);

  it("a DDL file whose start write, sent in the DML file's transaction before it, fails: the DML file goes again alone and applies, the DDL file fails under its own name", async () => {
    const w = await makeWorkdir(server, {
      'migrations/app/V1__t.sql':
        'CREATE TABLE t (id INT PRIMARY KEY, n INT) ENGINE=InnoDB;\nINSERT INTO t VALUES (1, 1);',
    });
    expect((await deploy(w)).code).toBe(0);
    // V3's row cannot be written while it shows its statement in flight (its record before it runs).
    await server.query(
      `CREATE TRIGGER ${w.db}.no_v3 BEFORE INSERT ON ${w.db}.sqlgate_history FOR EACH ROW BEGIN IF NEW.version = 'V3' AND NEW.inflight_statement IS NOT NULL THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'no V3 today'; END IF; END`,
    );
    write(w.dir, {
      'migrations/app/V2__n.sql': 'UPDATE t SET n = n + 1 WHERE id = 1;',
      'migrations/app/V3__c.sql': 'CREATE TABLE c (id INT);',
    });
    const run = await deploy(w);
    expect(run.code).toBe(1);
    expect(said(run)).toContain('2 files of one statement each, in one packet');
    expect(said(run)).toContain(
      'the history could not be written before statement 1 of migrations/app/V3__c.sql (line 1) (ER_SIGNAL_EXCEPTION (1644): no V3 today); the statement was not run',
    );
    expect(await server.query(`SELECT n FROM ${w.db}.t`)).toEqual([{ n: 2 }]);
    expect(await progressOf(w.db)).toEqual([
      ['V1', 'success', 2],
      ['V2', 'success', 1],
      ['V3', 'failed', 0],
    ]);
    expect(await server.query(`SHOW TABLES FROM ${w.db} LIKE 'c'`)).toEqual([]);
  }, 60_000);

  /** A table with one row, and a connection that holds that row's lock until released. */
  async function lockedRow(db: string) {
    await server.query(`CREATE TABLE ${db}.t (id INT PRIMARY KEY, n INT) ENGINE=InnoDB`);
    await server.query(`INSERT INTO ${db}.t VALUES (1, 1)`);
    const blocker = await mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'root' });
    await blocker.query('START TRANSACTION');
    await blocker.query(`SELECT * FROM ${db}.t WHERE id = 1 FOR UPDATE`);
    return { release: () => blocker.query('ROLLBACK').then(() => blocker.end()) };
  }

  const files = {
    'migrations/app/V1__a.sql': 'CREATE TABLE a (id INT);',
    'migrations/app/V2__n.sql': 'UPDATE t SET n = 2 WHERE id = 1;',
    'migrations/app/V3__c.sql': 'CREATE TABLE c (id INT);',
  };

  /** After V2's transaction was lost: V1 applied, V2 rolled back and recorded so, and the next deploy runs V2 and V3 once. */
  async function expectRolledBackThenRunOnce(w: Workdir, first: Awaited<ReturnType<typeof deployWorkdir>>) {
    expect(first.status).toBe('failed');
    expect(first.message).toContain(
      'statement 1 of migrations/app/V2__n.sql (line 1) was running (PROTOCOL_CONNECTION_LOST',
    );
    expect(first.message).toContain(
      'its transaction was rolled back with the connection, so it is recorded as not applied and the next deploy runs it again',
    );
    expect(first.applied).toEqual([{ file: 'migrations/app/V1__a.sql', statements: 1 }]);
    expect(await progressOf(w.db)).toEqual([
      ['V1', 'success', 1],
      ['V2', 'failed', 0],
    ]);
    expect(await server.query(`SHOW TABLES FROM ${w.db} LIKE 'c'`)).toEqual([]);
    const second = await deployWorkdir(server, w);
    expect(second.status).toBe('applied');
    expect(await server.query(`SELECT n FROM ${w.db}.t`)).toEqual([{ n: 2 }]);
    expect(await progressOf(w.db)).toEqual([
      ['V1', 'success', 1],
      ['V2', 'success', 1],
      ['V3', 'success', 1],
    ]);
  }

  it('a connection killed while a DML file of the chain waits for a row lock: the DDL before applied, the DML rolled back, and the next deploy runs it once', async () => {
    const w = await makeWorkdir(server, files);
    const row = await lockedRow(w.db);
    try {
      const deploying = deployWorkdir(server, w);
      await server.query(`KILL CONNECTION ${await waitForQuery(server, 'UPDATE t SET n = 2%')}`);
      await row.release();
      await expectRolledBackThenRunOnce(w, await deploying);
    } finally {
      await row.release().catch(() => {});
    }
  }, 60_000);

  it('a DML file of the chain that times out waiting for a row lock is tried again on its own, and applies once', async () => {
    const w = await makeWorkdir(server, files);
    await server.query('SET GLOBAL innodb_lock_wait_timeout = 1');
    const row = await lockedRow(w.db);
    try {
      const deploying = deploy(w);
      await waitForQuery(server, 'UPDATE t SET n = 2%');
      // Held past the first wait (1 s), released before the retry (1 s later) ends.
      await new Promise((r) => setTimeout(r, 1500));
      await row.release();
      const run = await deploying;
      expect(run.code).toBe(0);
      expect(said(run)).toContain(
        'statement 1 of migrations/app/V2__n.sql (line 1) timed out waiting for a lock (another session holds the table); trying again (1/',
      );
      expect(await server.query(`SELECT n FROM ${w.db}.t`)).toEqual([{ n: 2 }]);
      expect(await progressOf(w.db)).toEqual([
        ['V1', 'success', 1],
        ['V2', 'success', 1],
        ['V3', 'success', 1],
      ]);
    } finally {
      await server.query('SET GLOBAL innodb_lock_wait_timeout = 50');
      await row.release().catch(() => {});
    }
  }, 60_000);

  it('a break only the client saw while a DML file waits: no answer came, yet the DDL before is known applied from its completion write', async () => {
    const w = await makeWorkdir(server, files);
    const row = await lockedRow(w.db);
    const proxy = await answerSwallowingProxy((text) => text.includes('UPDATE t SET n = 2'), 500, true);
    try {
      const first = await deployWorkdir(server, w, {
        target: parseDatabaseUrl('TEST_DB_URL', `mysql://root@127.0.0.1:${proxy.port}/`),
      });
      await row.release();
      await expectRolledBackThenRunOnce(w, first);
    } finally {
      proxy.close();
      await row.release().catch(() => {});
    }
  }, 60_000);

  for (const isolation of ['REPEATABLE-READ', 'READ-UNCOMMITTED'])
    it(`a break only the client saw, and a DML file whose killed thread lingers on the server (server isolation ${isolation}): the DDL before it is still known applied from the history, and nothing uncommitted is taken as done`, async () => {
      await server.query(`SET GLOBAL tx_isolation = '${isolation}'`);
      const fifo = join(mkdtempSync(join(tmpdir(), 'sqlgate-fifo-')), 'in');
      execFileSync('mkfifo', [fifo]);
      const w = await makeWorkdir(server, {
        'migrations/app/V1__a.sql': 'CREATE TABLE a (id INT);',
        'migrations/app/V2__load.sql': `INSERT INTO t (id, n) SELECT 2, LENGTH(LOAD_FILE('${fifo}'));`,
        'migrations/app/V3__c.sql': 'CREATE TABLE c (id INT);',
      });
      await server.query(`CREATE TABLE ${w.db}.t (id INT PRIMARY KEY, n INT) ENGINE=InnoDB`);
      // The server waits for a writer to the FIFO, and a KILL does not end that wait: the thread
      // stays listed. No answer of the chain comes back.
      const proxy = await answerSwallowingProxy((text) => text.includes('LOAD_FILE'), 500, true);
      try {
        const first = await deployWorkdir(server, w, {
          target: parseDatabaseUrl('TEST_DB_URL', `mysql://root@127.0.0.1:${proxy.port}/`),
        });
        expect(first.status).toBe('failed');
        expect(first.message).toContain(
          'the connection was lost while statement 1 of migrations/app/V2__load.sql (line 1) and its COMMIT were in flight',
        );
        expect(first.applied).toEqual([{ file: 'migrations/app/V1__a.sql', statements: 1 }]);
        // A writer comes and goes: the killed thread reads nothing, rolls back and leaves.
        const writer = await open(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
        await writer.close();
        for (let i = 0; i < 100; i++) {
          const left = await server.query(
            "SELECT 1 FROM information_schema.PROCESSLIST WHERE INFO LIKE 'INSERT INTO t (id, n)%'",
          );
          if (left.length === 0) break;
          await new Promise((r) => setTimeout(r, 50));
        }
        expect(await progressOf(w.db)).toEqual([['V1', 'success', 1]]);
        expect(await server.query(`SELECT * FROM ${w.db}.t`)).toEqual([]);
        // The next deploy goes on after V1 (run again, its CREATE would fail): V2 once, then V3.
        await rm(fifo);
        await writeFile(fifo, 'abc');
        expect((await deployWorkdir(server, w)).status).toBe('applied');
        expect(await server.query(`SELECT * FROM ${w.db}.t`)).toEqual([{ id: 2, n: 3 }]);
        expect(await progressOf(w.db)).toEqual([
          ['V1', 'success', 1],
          ['V2', 'success', 1],
          ['V3', 'success', 1],
        ]);
      } finally {
        proxy.close();
        // Whatever happened above, no thread is left waiting on the FIFO.
        await open(fifo, constants.O_WRONLY | constants.O_NONBLOCK).then(
          (f) => f.close(),
          () => {},
        );
        await rm(dirname(fifo), { recursive: true, force: true });
        await server.query("SET GLOBAL tx_isolation = 'REPEATABLE-READ'");
      }
    }, 60_000);

  it('a break only the client saw after the server ran the whole chain, ending in a DML file: all applied, and the deploy stops saying so', async () => {
    const w = await makeWorkdir(server, {
      'migrations/app/V1__a.sql': 'CREATE TABLE a (id INT PRIMARY KEY) ENGINE=InnoDB;',
      'migrations/app/V2__slow.sql': 'CREATE TABLE b ENGINE=InnoDB AS SELECT SLEEP(1) AS x;',
      'migrations/app/V3__row.sql': 'INSERT INTO a VALUES (1);',
    });
    const proxy = await answerSwallowingProxy((text) => text.includes('SLEEP(1)'), 2500, true);
    try {
      const first = await deployWorkdir(server, w, {
        target: parseDatabaseUrl('TEST_DB_URL', `mysql://root@127.0.0.1:${proxy.port}/`),
      });
      expect(first.status).toBe('failed');
      expect(first.message).toContain(
        'just after statement 1 of migrations/app/V3__row.sql (line 1) committed',
      );
      expect(first.applied).toEqual(
        ['V1__a.sql', 'V2__slow.sql', 'V3__row.sql'].map((f) => ({
          file: `migrations/app/${f}`,
          statements: 1,
        })),
      );
      expect(await progressOf(w.db)).toEqual([
        ['V1', 'success', 1],
        ['V2', 'success', 1],
        ['V3', 'success', 1],
      ]);
      const second = await deployWorkdir(server, w);
      expect(second).toMatchObject({ status: 'up-to-date', applied: [] });
      expect(await server.query(`SELECT id FROM ${w.db}.a`)).toEqual([{ id: 1 }]);
    } finally {
      proxy.close();
    }
  }, 60_000);
});
