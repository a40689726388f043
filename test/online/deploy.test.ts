// `sqlgate deploy` (the CLI process, as CI runs it) on an environment whose onlineSchemaChange
// routes big ALTERs to pt-online-schema-change, against a throwaway MariaDB: the change runs
// through the tool and is recorded like any statement; a deploy killed halfway leaves the table
// as it was and the next deploy finishes the change once; what the tool cannot do is refused
// before anything runs; the password is never on a command line or in the log.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeWorkdir, removeWorkdirs, spawnCli, type Workdir, write } from '../support/deploy-workdir.js';
import { MariaDbServer } from '../support/mariadb.js';
import { ConcurrentWriter, fillTable, summarise } from '../support/online-table.js';

const PASSWORD = 'Dep#loy "pa55;w"';
const ROWS = 200_000;
let server: MariaDbServer;

beforeAll(async () => {
  server = await MariaDbServer.start();
  await server.query(`CREATE USER 'deployer'@'%' IDENTIFIED BY '${PASSWORD.replace(/'/g, "\\'")}'`);
  await server.query(`GRANT ALL ON *.* TO 'deployer'@'%'`);
}, 60_000);
afterAll(async () => {
  removeWorkdirs();
  await server?.stop();
});

/** A workdir whose Test environment routes ALTERs online when `when` holds. */
async function onlineWorkdir(when: string, extra = ''): Promise<Workdir> {
  const w = await makeWorkdir(server, {}, { prefix: 'osc' });
  write(w.dir, {
    'policies/environments.yaml': `environments:
  - id: test
    title: Test
    order: 1
    rollout: automatic
    onlineSchemaChange: { when: ${when}${extra} }
  - {id: prod, title: Prod, order: 2, rollout: manual, tag: "prod/*", rolloutRoles: [dba]}
databases:
  - {name: ${w.db}, environment: test, urlEnv: TEST_DB_URL, migrations: app}
`,
  });
  const url = `mysql://deployer:${encodeURIComponent(PASSWORD)}@127.0.0.1:${server.port}/`;
  return { ...w, env: { TEST_DB_URL: url, PROD_DB_URL: url } };
}

async function columns(db: string, table: string): Promise<string[]> {
  const rows = await server.query<{ c: string }>(
    `SELECT COLUMN_NAME AS c FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '${db}' AND TABLE_NAME = '${table}' ORDER BY ORDINAL_POSITION`,
  );
  return rows.map((r) => r.c);
}

/** The history row of the one migration these tests deploy, V1. */
function v1(status: string, applied: number, inflight: number | null = null, via: string | null = null) {
  return {
    version: 'V1',
    status,
    statements_applied: applied,
    inflight_statement: inflight,
    inflight_via: via,
  };
}

async function history(db: string) {
  return server.query(
    `SELECT version, status, statements_applied, inflight_statement, inflight_via FROM ${db}.sqlgate_history ORDER BY id`,
  );
}

async function leftovers(db: string): Promise<string[]> {
  const rows = await server.query<{ n: string }>(
    `SELECT TABLE_NAME AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = '${db}' AND TABLE_NAME LIKE '\\_%'
     UNION ALL SELECT TRIGGER_NAME FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = '${db}'`,
  );
  return rows.map((r) => r.n).sort();
}

/** Every process below `pid` (the deploy's pt-online-schema-change and whatever it started). */
function descendants(pid: number): number[] {
  const out = execFileSync('ps', ['-eo', 'pid=,ppid='], { encoding: 'utf8' });
  const children = new Map<number, number[]>();
  for (const line of out.trim().split('\n')) {
    const [p, pp] = line.trim().split(/\s+/).map(Number) as [number, number];
    children.set(pp, [...(children.get(pp) ?? []), p]);
  }
  const all: number[] = [];
  const visit = (p: number) => {
    for (const c of children.get(p) ?? []) {
      all.push(c);
      visit(c);
    }
  };
  visit(pid);
  return all;
}

/** Start a deploy and return once the tool's copy of `table` holds a tenth of its rows. */
async function deployUntilCopyHalfway(w: Workdir, table: string) {
  const run = spawnCli(['deploy', '--env', 'test'], { cwd: w.dir, env: w.env });
  const deadline = Date.now() + 120_000;
  for (;;) {
    const copied = await server.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${w.db}._${table}_new`).then(
      (rows) => Number(rows[0]?.n),
      () => 0,
    );
    if (copied >= ROWS / 10) return run;
    if (Date.now() > deadline) throw new Error('the copy never got a tenth of the way');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('deploy with onlineSchemaChange', () => {
  it('runs a routed ALTER on 200k rows through pt-online-schema-change: a concurrent writer sees no error, no wait over 1 s and loses no row; the history records it; the password is never on a command line or in the log', async () => {
    const w = await onlineWorkdir('{ tableRows: { gt: 100000 } }');
    await fillTable(server, w.db, 'orders', ROWS);
    write(w.dir, { 'migrations/app/V1__note.sql': 'ALTER TABLE orders ADD COLUMN note VARCHAR(40) NULL;\n' });
    const writerConnection = await server.connection(w.db);
    const writer = new ConcurrentWriter(writerConnection, 'orders', ROWS);
    const commandLines: string[] = [];
    const poll = setInterval(() => {
      commandLines.push(execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }));
    }, 100);
    writer.start();
    const run = spawnCli(['deploy', '--env', 'test'], { cwd: w.dir, env: w.env });
    const result = await run.done;
    clearInterval(poll);
    await writer.stop();
    await writerConnection.end();

    expect(result.code, result.out + result.err).toBe(0);
    expect(result.out).toMatch(
      /migrations\/app\/V1__note\.sql:1: online via pt-online-schema-change, ~\d{3},\d{3} rows, copy in chunks of 1000\n/,
    );
    expect(result.out).toContain('Successfully altered');
    expect(await columns(w.db, 'orders')).toEqual(['id', 'v', 'note']);
    expect(writer.errors).toEqual([]);
    expect(writer.writes).toBeGreaterThan(20);
    expect(writer.longestWriteMs).toBeLessThan(1000);
    expect(await summarise(server, w.db, 'orders')).toEqual(writer.expected());
    expect(await history(w.db)).toEqual([v1('success', 1)]);
    expect(await leftovers(w.db)).toEqual([]);
    expect(commandLines.some((ps) => ps.includes('pt-online-schema-change'))).toBe(true);
    for (const text of [...commandLines, result.out, result.err]) {
      expect(text).not.toContain('Dep#loy');
      expect(text).not.toContain(encodeURIComponent(PASSWORD));
    }
  }, 240_000);

  it('a deploy killed halfway through the copy leaves the table as it was; repair refuses a mark that the leftovers contradict; the next deploy drops the copy and triggers and completes the change once', async () => {
    const w = await onlineWorkdir('{ tableRows: { gt: 100000 } }', ', chunkSize: 100');
    await fillTable(server, w.db, 'payments', ROWS);
    const before = await summarise(server, w.db, 'payments');
    write(w.dir, {
      'migrations/app/V1__note.sql': 'ALTER TABLE payments ADD COLUMN note VARCHAR(40) NULL;\n',
    });
    const run = await deployUntilCopyHalfway(w, 'payments');
    // The runner is lost: the deploy and the tool die at once, with no chance to clean up.
    const pid = run.child.pid as number;
    for (const p of [pid, ...descendants(pid)]) process.kill(p, 'SIGKILL');
    const killed = await run.done;
    expect(killed.out).not.toContain('Successfully altered');

    expect(await columns(w.db, 'payments')).toEqual(['id', 'v']);
    expect(await summarise(server, w.db, 'payments')).toEqual(before);
    expect(await leftovers(w.db)).toEqual([
      '_payments_new',
      `pt_osc_${w.db}_payments_del`,
      `pt_osc_${w.db}_payments_ins`,
      `pt_osc_${w.db}_payments_upd`,
    ]);
    expect(await history(w.db)).toEqual([v1('running', 0, 0, 'pt-online-schema-change')]);

    // An operator's mark that contradicts what the tool left is refused, and the evidence kept.
    const wrong = await spawnCli(
      ['repair', '--env', 'test', '--database', w.db, '--version', '1', '--mark', 'applied'],
      { cwd: w.dir, env: w.env },
    ).done;
    expect(wrong.code).toBe(1);
    expect(wrong.out + wrong.err).toContain(
      `statement 1 of version 1 ran through pt-online-schema-change, and its copy or triggers are still there, so it never swapped the copy in and ${w.db}.payments is as it was: it is not-applied, not applied. Nothing was changed`,
    );
    expect(await leftovers(w.db)).toHaveLength(4);

    const next = await spawnCli(['deploy', '--env', 'test'], { cwd: w.dir, env: w.env }).done;
    expect(next.code, next.out + next.err).toBe(0);
    expect(next.out).toContain(
      `statement 1 of migrations/app/V1__note.sql, run by pt-online-schema-change when the deploy stopped: the interrupted online change had not swapped its copy in, so ${w.db}.payments was as it was; its copy and triggers were dropped; recorded as not-applied`,
    );
    expect(await columns(w.db, 'payments')).toEqual(['id', 'v', 'note']);
    expect(await summarise(server, w.db, 'payments')).toEqual(before);
    expect(await leftovers(w.db)).toEqual([]);
    expect(await history(w.db)).toEqual([v1('success', 1)]);
  }, 300_000);

  it('a deploy killed after the swap: the next deploy sees the old table, records the change as applied and does not run it again', async () => {
    const w = await onlineWorkdir('{ tableRows: { gt: 100000 } }', ', chunkSize: 100');
    await fillTable(server, w.db, 'ledger', ROWS);
    write(w.dir, { 'migrations/app/V1__note.sql': 'ALTER TABLE ledger ADD COLUMN note VARCHAR(40) NULL;\n' });
    const run = await deployUntilCopyHalfway(w, 'ledger');
    const pid = run.child.pid as number;
    for (const p of [pid, ...descendants(pid)]) process.kill(p, 'SIGKILL');
    await run.done;
    // What the tool leaves when it dies right after its atomic swap, before dropping the old table.
    await server.query(
      `RENAME TABLE ${w.db}.ledger TO ${w.db}._ledger_old, ${w.db}._ledger_new TO ${w.db}.ledger`,
    );

    const next = await spawnCli(['deploy', '--env', 'test'], { cwd: w.dir, env: w.env }).done;
    expect(next.code, next.out + next.err).toBe(0);
    expect(next.out).toContain(
      `run by pt-online-schema-change when the deploy stopped: the interrupted online change had swapped the altered copy in (${w.db}._ledger_old was left); recorded as applied`,
    );
    expect(next.out).not.toContain('online via pt-online-schema-change');
    expect(await columns(w.db, 'ledger')).toEqual(['id', 'v', 'note']);
    expect(await leftovers(w.db)).toEqual([]);
    expect(await history(w.db)).toEqual([v1('success', 1)]);
  }, 300_000);

  it('on SIGTERM stops the tool, which drops its copy and triggers; the change is recorded as failed and the next deploy runs it', async () => {
    const w = await onlineWorkdir('{ tableRows: { gt: 100000 } }', ', chunkSize: 100');
    await fillTable(server, w.db, 'invoices', ROWS);
    const before = await summarise(server, w.db, 'invoices');
    write(w.dir, {
      'migrations/app/V1__note.sql': 'ALTER TABLE invoices ADD COLUMN note VARCHAR(40) NULL;\n',
    });
    const run = await deployUntilCopyHalfway(w, 'invoices');
    run.child.kill('SIGTERM');
    const cancelled = await run.done;
    expect(cancelled.code).toBe(1);
    expect(cancelled.out).toContain(
      `✗ test/${w.db}: failed: statement 1 of migrations/app/V1__note.sql (line 1) failed: cancelled (SIGTERM); pt-online-schema-change was stopped`,
    );
    expect(await columns(w.db, 'invoices')).toEqual(['id', 'v']);
    expect(await summarise(server, w.db, 'invoices')).toEqual(before);
    expect(await leftovers(w.db)).toEqual([]);
    expect(await history(w.db)).toEqual([v1('failed', 0)]);

    const next = await spawnCli(['deploy', '--env', 'test'], { cwd: w.dir, env: w.env }).done;
    expect(next.code, next.out + next.err).toBe(0);
    expect(await columns(w.db, 'invoices')).toEqual(['id', 'v', 'note']);
    expect(await summarise(server, w.db, 'invoices')).toEqual(before);
  }, 300_000);

  it('refuses an ALTER of a table without a primary key before anything runs, naming the file and line (and --dry-run shows it)', async () => {
    const w = await onlineWorkdir('{ table: events }');
    await server.query(`CREATE TABLE ${w.db}.events (v INT, note VARCHAR(10)) ENGINE=InnoDB`);
    write(w.dir, {
      'migrations/app/V1__other.sql': 'CREATE TABLE other (id INT PRIMARY KEY);\n',
      'migrations/app/V2__events.sql': '-- widen\nALTER TABLE events MODIFY note VARCHAR(40);\n',
    });
    const dry = await spawnCli(['deploy', '--env', 'test', '--dry-run'], { cwd: w.dir, env: w.env }).done;
    expect(dry.out).toContain(
      '      refused: table events has no primary key or unique key on NOT NULL columns',
    );
    const result = await spawnCli(['deploy', '--env', 'test'], { cwd: w.dir, env: w.env }).done;
    expect(result.code).toBe(1);
    expect(result.out).toContain(
      `✗ test/${w.db}: refused: migrations/app/V2__events.sql:2: table events has no primary key or unique key on NOT NULL columns; pt-online-schema-change needs one to copy the table in chunks and to apply concurrent deletes. Add a primary key first (inline, or while the table is small); nothing was run`,
    );
    expect(await columns(w.db, 'other')).toEqual([]);
    expect(await columns(w.db, 'events')).toEqual(['v', 'note']);
    expect(await history(w.db)).toEqual([]);
  }, 60_000);

  it('decides again from the live table: a table under the threshold runs inline, and the log says the method changed since the deploy started', async () => {
    const w = await onlineWorkdir('{ tableRows: { gt: 1000 } }');
    await fillTable(server, w.db, 'items', 5000);
    write(w.dir, {
      'migrations/app/V1__shrink.sql': 'DELETE FROM items WHERE id > 10;\nANALYZE TABLE items;\n',
      'migrations/app/V2__note.sql': 'ALTER TABLE items ADD COLUMN note VARCHAR(40) NULL;\n',
    });
    const result = await spawnCli(['deploy', '--env', 'test'], { cwd: w.dir, env: w.env }).done;
    expect(result.code, result.out + result.err).toBe(0);
    expect(result.out).toMatch(
      /migrations\/app\/V2__note\.sql:1: online via pt-online-schema-change, ~[\d,]+ rows/,
    );
    expect(result.out).toMatch(
      /statement 1 of migrations\/app\/V2__note\.sql \(line 1\): method changed since the deploy started: online via pt-online-schema-change, .* → inline \(~10 rows\)/,
    );
    expect(result.out).not.toContain('Successfully altered');
    expect(await columns(w.db, 'items')).toEqual(['id', 'v', 'note']);
  }, 60_000);
});
