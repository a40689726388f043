// pt-online-schema-change run by sqlgate against a throwaway MariaDB: the column arrives, a
// concurrent writer never waits or fails and loses nothing, a killed run leaves the table as it
// was, and the password is never on a command line or in the log.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDatabaseUrl } from '../../src/db/url.js';
import { cleanUpLeftovers, findLeftovers, hasLeftovers } from '../../src/online/leftovers.js';
import { ptOnlineSchemaChange } from '../../src/online/ptosc.js';
import type { CopyProgress, OnlineRun } from '../../src/online/tool.js';
import { MariaDbServer } from '../support/mariadb.js';
import { ConcurrentWriter, fillTable, summarise } from '../support/online-table.js';

const PASSWORD = 'Osc#pa55 "w;rd"\\x';
const ROWS = 200_000;
let server: MariaDbServer;

beforeAll(async () => {
  server = await MariaDbServer.start();
  await server.query(
    `CREATE USER 'deployer'@'%' IDENTIFIED BY '${PASSWORD.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`,
  );
  await server.query(`GRANT ALL ON *.* TO 'deployer'@'%'`);
}, 60_000);
afterAll(async () => server?.stop());

function request(
  table: string,
  clause: string,
  extra: Partial<OnlineRun> = {},
): OnlineRun & { lines: string[] } {
  const lines: string[] = [];
  return {
    target: parseDatabaseUrl(
      'DB_URL',
      `mysql://deployer:${encodeURIComponent(PASSWORD)}@127.0.0.1:${server.port}/`,
    ),
    database: 'app',
    table,
    clause,
    options: {
      chunkSize: 1000,
      maxLoad: 'Threads_running=50',
      criticalLoad: 'Threads_running=200',
      preserveTriggers: false,
    },
    lockWaitTimeoutSeconds: 5,
    progressSeconds: 1,
    log: (line) => lines.push(line),
    lines,
    ...extra,
  };
}

async function columns(table: string): Promise<string[]> {
  const rows = await server.query<{ c: string }>(
    `SELECT COLUMN_NAME AS c FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = 'app' AND TABLE_NAME = '${table}' ORDER BY ORDINAL_POSITION`,
  );
  return rows.map((r) => r.c);
}

describe('pt-online-schema-change runner', () => {
  it('adds the column to a 200k-row table while a writer inserts, updates and deletes without an error, a wait over 1 s or a lost row; the password is never on a command line or in the log', async () => {
    await fillTable(server, 'app', 'orders', ROWS);
    const writerConnection = await server.connection('app');
    const writer = new ConcurrentWriter(writerConnection, 'orders', ROWS);
    const progress: CopyProgress[] = [];
    const commandLines: string[] = [];
    let polls = 0;
    const poll = setInterval(() => {
      commandLines.push(execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }));
      polls++;
    }, 100);
    writer.start();
    const req = request('orders', 'ADD COLUMN note VARCHAR(40) NULL', {
      onProgress: (p) => progress.push(p),
    });
    const result = await ptOnlineSchemaChange.run(req);
    clearInterval(poll);
    await writer.stop();
    await writerConnection.end();

    expect(result).toMatchObject({ ok: true, exitCode: 0 });
    expect(await columns('orders')).toEqual(['id', 'v', 'note']);
    expect(writer.errors).toEqual([]);
    expect(writer.writes).toBeGreaterThan(20);
    expect(writer.longestWriteMs).toBeLessThan(1000);
    expect(await summarise(server, 'app', 'orders')).toEqual(writer.expected());
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)?.percent).toBeGreaterThan(0);
    expect(req.lines.join('\n')).toContain('Successfully altered `app`.`orders`');

    const seenTool = commandLines.filter((ps) => ps.includes('pt-online-schema-change'));
    expect(polls).toBeGreaterThan(0);
    expect(seenTool.length).toBeGreaterThan(0);
    for (const ps of commandLines) expect(ps).not.toContain('Osc#pa55');
    expect(req.lines.join('\n')).not.toContain('Osc#pa55');
    // The option file that carried the password is gone. Only this run's file is checked: other
    // processes on the machine may hold their own sqlgate-ptosc- directories at this moment.
    const optionFiles = new Set(
      commandLines.flatMap((ps) =>
        [...ps.matchAll(/F=(\S*sqlgate-ptosc-[^/\s,]+\/client\.cnf)/g)].map((m) => m[1] as string),
      ),
    );
    expect(optionFiles.size).toBeGreaterThan(0);
    for (const file of optionFiles) expect(existsSync(dirname(file))).toBe(false);
  }, 180_000);

  it('a run killed halfway leaves the original table intact, and after clean-up a rerun completes', async () => {
    await fillTable(server, 'app', 'payments', ROWS);
    const before = await summarise(server, 'app', 'payments');
    let pid = 0;
    const req = request('payments', 'ADD COLUMN note VARCHAR(40) NULL', {
      options: {
        chunkSize: 200,
        maxLoad: 'Threads_running=50',
        criticalLoad: 'Threads_running=200',
        preserveTriggers: false,
      },
      onSpawn: (p) => {
        pid = p;
      },
      onProgress: (p) => {
        if (p.percent >= 10 && pid) process.kill(pid, 'SIGKILL');
      },
    });
    const killed = await ptOnlineSchemaChange.run(req);
    expect(killed).toMatchObject({ ok: false, exitCode: null, signal: 'SIGKILL' });

    expect(await columns('payments')).toEqual(['id', 'v']);
    expect(await summarise(server, 'app', 'payments')).toEqual(before);
    const c = await server.connection('app');
    try {
      const leftovers = await findLeftovers(c, 'app', 'payments');
      expect(leftovers.triggers).toEqual([
        'pt_osc_app_payments_del',
        'pt_osc_app_payments_ins',
        'pt_osc_app_payments_upd',
      ]);
      expect(leftovers.newTables).toEqual(['_payments_new']);
      expect(await cleanUpLeftovers(c, 'app', leftovers, () => {})).toEqual({ swapped: false });
      expect(hasLeftovers(await findLeftovers(c, 'app', 'payments'))).toBe(false);
    } finally {
      await c.end();
    }

    const rerun = await ptOnlineSchemaChange.run(request('payments', 'ADD COLUMN note VARCHAR(40) NULL'));
    expect(rerun).toMatchObject({ ok: true, exitCode: 0 });
    expect(await columns('payments')).toEqual(['id', 'v', 'note']);
    expect(await summarise(server, 'app', 'payments')).toEqual(before);
  }, 180_000);

  it("reports the tool's exit status and its own words when it refuses, and leaves the table as it was", async () => {
    await server.query('CREATE TABLE app.no_key (v INT) ENGINE=InnoDB');
    await server.query('INSERT INTO app.no_key VALUES (1), (2)');
    const req = request('no_key', 'ADD COLUMN note VARCHAR(40) NULL');
    const result = await ptOnlineSchemaChange.run(req);
    expect(result.ok).toBe(false);
    expect(result.exitCode).toBe(4);
    expect(result.error).toMatch(/PRIMARY KEY or a unique index/);
    expect(await columns('no_key')).toEqual(['v']);
  }, 60_000);
});
