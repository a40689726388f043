// Deploy speed on a throwaway MariaDB server, every tool as the process a user would run.
// 0. Round trips per migration, and each tool's time on the server and outside it (slow log).
// 1. 500 small migrations (CREATE TABLE / ALTER / INSERT) into a fresh database, per round:
//    the `mariadb` client piping the same SQL (reference), `sqlgate deploy` (history, lock and
//    policy check included) and dbmate (its own history table), in rotating order; the ratios
//    are medians of the per-round ratios (paired), so load on the machine hits all alike.
// 2. One data migration of 2,000 small INSERTs: client, sqlgate and dbmate.
// 2b. The 500 migrations across a network (a proxy that holds each packet 1 ms each way).
// 3. 64 databases on one server: concurrency 1 against 8, in the same run.
// 4. Start-up: the same deploy when nothing is pending (bench/startup.ts).
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { targetsFromEnv } from '../src/db/targets.js';
import { deployEnvironment } from '../src/deploy/fleet.js';
import type { Policy } from '../src/policy/types.js';
import { MariaDbServer } from '../test/support/mariadb.js';
import { ms, report } from './measure.js';
import { STARTUP_TITLE, startupRows } from './startup.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const DBMATE = peerBinary('dbmate', '2.36.0');
const ROUNDS = 5;

/**
 * The peer is installed on first use into bench/out/peers, not as a devDependency: the npm
 * package lists one optional binary package per platform, and `npm ci` refuses a lock file that
 * lacks the other platforms' entries, which a registry without them cannot fill in. A registry
 * that serves only this platform's binary package (`@dbmate/linux-x64`) is asked for that one.
 */
function peerBinary(name: string, version: string): string {
  const prefix = join(ROOT, 'bench/out/peers');
  const platformPackage = `@${name}/${process.platform}-${process.arch}`;
  const candidates = [
    join(prefix, 'node_modules/.bin', name),
    join(prefix, 'node_modules', platformPackage, 'bin', name),
  ];
  const found = () => candidates.find((c) => existsSync(c));
  if (found()) return found() as string;
  mkdirSync(prefix, { recursive: true });
  const install = (spec: string) =>
    execFileSync('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--prefix', prefix, spec], {
      stdio: 'inherit',
    });
  console.error(`installing the benchmark peer ${name}@${version} into bench/out/peers ...`);
  try {
    install(`${name}@${version}`);
  } catch {
    console.error(`${name}@${version} did not install; trying its binary package ${platformPackage}`);
    install(`${platformPackage}@${version}`);
  }
  const binary = found();
  if (!binary) throw new Error(`${name} ${version} was installed but its binary is not in ${prefix}`);
  return binary;
}

function statement(i: number): string {
  const t = `t${Math.floor(i / 3)}`;
  return i % 3 === 0
    ? `CREATE TABLE ${t} (id INT PRIMARY KEY, name VARCHAR(40));\n`
    : i % 3 === 1
      ? `ALTER TABLE ${t} ADD COLUMN c${i} INT NULL;\n`
      : `INSERT INTO ${t} (id, name) VALUES (1, 'a'), (2, 'b'), (3, 'c');\n`;
}

/** The same migrations for sqlgate (migrations/app) and dbmate (db/migrations, with its header). */
function migrations(dir: string, count: number): string[] {
  mkdirSync(join(dir, 'migrations/app'), { recursive: true });
  mkdirSync(join(dir, 'db/migrations'), { recursive: true });
  const all: string[] = [];
  for (let i = 0; i < count; i++) {
    const sql = statement(i);
    writeFileSync(join(dir, `migrations/app/${1000 + i}_m${i}.sql`), sql);
    writeFileSync(
      join(dir, `db/migrations/${20260101000000 + i}_m${i}.sql`),
      `-- migrate:up\n${sql}\n-- migrate:down\n`,
    );
    all.push(sql);
  }
  return all;
}

/** The seed policies with one Test database named `db`. */
function policies(dir: string, db: string): void {
  cpSync(join(ROOT, 'examples/seed/policies'), join(dir, 'policies'), { recursive: true });
  writeFileSync(
    join(dir, 'policies/environments.yaml'),
    `environments:\n  - {id: test, title: Test, order: 1, rollout: automatic}\n  - {id: prod, title: Prod, order: 2, rollout: manual, tag: "prod/*", rolloutRoles: [dba]}\ndatabases:\n  - {name: ${db}, environment: test, urlEnv: BENCH_URL, migrations: app}\n`,
  );
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

function timed(fn: () => void): number {
  const start = performance.now();
  fn();
  return performance.now() - start;
}

async function fresh(server: MariaDbServer, db: string): Promise<void> {
  await server.query(`DROP DATABASE IF EXISTS ${db}`);
  await server.query(`CREATE DATABASE ${db}`);
}

/** Where a tool connects: the server itself, or a proxy in front of it. */
interface Endpoint {
  readonly port: number;
  readonly url: string;
}

/** Each tool as the process a user runs, on the server's database `db` (sqlgate: the one its policies name). */
const tools = {
  client: (server: Endpoint, db: string, input: string) =>
    execFileSync('mariadb', ['-h', '127.0.0.1', '-P', String(server.port), '-uroot', db], { input }),
  // Its progress lines (every 10 statements of a long file) go to stderr: kept, not printed.
  sqlgate: (server: Endpoint, dir: string) =>
    execFileSync(process.execPath, [join(ROOT, 'bin/sqlgate.js'), 'deploy', '--env', 'test'], {
      cwd: dir,
      env: { ...process.env, BENCH_URL: server.url },
      stdio: 'pipe',
    }),
  dbmate: (server: Endpoint, dir: string, db: string) =>
    execFileSync(DBMATE, ['--no-dump-schema', 'up'], {
      cwd: dir,
      env: { ...process.env, DATABASE_URL: `mysql://root:@127.0.0.1:${server.port}/${db}` },
    }),
};

type Tool = keyof typeof tools;
type Times = Record<Tool, number>;

/**
 * `rounds` timed runs of each tool (after one that warms the server and the page cache), in
 * rotating order, each into a fresh database `${prefix}_${tool}`: paired, so load on the machine
 * hits all three alike.
 */
async function pairedRounds(
  server: MariaDbServer,
  prefix: string,
  run: Record<Tool, () => void>,
  rounds: number,
): Promise<Times[]> {
  const times: Times[] = [];
  for (let round = 0; round < rounds + 1; round++) {
    const t = { client: 0, sqlgate: 0, dbmate: 0 };
    const all = Object.keys(t) as Tool[];
    for (const tool of all.map((_, k) => all[(k + round) % 3] as Tool)) {
      await fresh(server, `${prefix}_${tool}`);
      t[tool] = timed(run[tool]);
    }
    if (round > 0) times.push(t);
  }
  return times;
}

/** The three tools through `via`, each into its own database `${prefix}_${tool}` (sqlgate: the one its policies in `dir` name). */
const eachTool = (via: Endpoint, dir: string, prefix: string, sql: string): Record<Tool, () => void> => ({
  client: () => tools.client(via, `${prefix}_client`, sql),
  sqlgate: () => tools.sqlgate(via, dir),
  dbmate: () => tools.dbmate(via, dir, `${prefix}_dbmate`),
});

/** The median of the per-round ratios. */
const pairedRatio = (times: readonly Times[], f: (t: Times) => number) =>
  `${median(times.map(f)).toFixed(2)}x`;

async function sqlgateVsPeers(server: MariaDbServer): Promise<[string, string][]> {
  const dir = mkdtempSync(join(tmpdir(), 'sqlgate-bench-'));
  const sql = migrations(dir, 500).join('');
  policies(dir, 'via_sqlgate');
  const times = await pairedRounds(server, 'via', eachTool(server, dir, 'via', sql), ROUNDS);
  const [created] = await server.query<{ n: number }>(
    "SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'via_sqlgate' AND TABLE_NAME LIKE 't%'",
  );
  if (Number(created?.n) !== 167) throw new Error(`sqlgate created ${created?.n} tables, not 167`);
  rmSync(dir, { recursive: true, force: true });
  return [
    [
      '`mariadb` client, 500 migrations piped into a fresh database (reference)',
      ms(median(times.map((t) => t.client))),
    ],
    ['`sqlgate deploy` (CLI process: policies, lock, history)', ms(median(times.map((t) => t.sqlgate)))],
    ['dbmate up (its own history, one transaction per file)', ms(median(times.map((t) => t.dbmate)))],
    ['sqlgate ÷ client, median of paired rounds', pairedRatio(times, (t) => t.sqlgate / t.client)],
    ['dbmate ÷ client, median of paired rounds', pairedRatio(times, (t) => t.dbmate / t.client)],
    ['sqlgate ÷ dbmate, median of paired rounds', pairedRatio(times, (t) => t.sqlgate / t.dbmate)],
  ];
}

/**
 * One data migration of many small statements (the shape of a seed or backfill file): 2,000
 * single-row INSERTs in one file, into a table an earlier file created. Each tool as the process a
 * user runs, paired rounds. dbmate runs a file in one transaction; sqlgate commits consecutive
 * DML statements in groups, each with its history write; the client commits each statement.
 */
export async function dataMigration(server: MariaDbServer): Promise<[string, string][]> {
  const count = 2000;
  const dir = mkdtempSync(join(tmpdir(), 'sqlgate-bench-data-'));
  const create = 'CREATE TABLE rows_in (id INT PRIMARY KEY, name VARCHAR(40)) ENGINE=InnoDB;\n';
  const inserts = Array.from(
    { length: count },
    (_, i) => `INSERT INTO rows_in VALUES (${i}, 'row ${i}');\n`,
  ).join('');
  mkdirSync(join(dir, 'migrations/app'), { recursive: true });
  mkdirSync(join(dir, 'db/migrations'), { recursive: true });
  writeFileSync(join(dir, 'migrations/app/1000_create.sql'), create);
  writeFileSync(join(dir, 'migrations/app/1001_rows.sql'), inserts);
  writeFileSync(
    join(dir, 'db/migrations/20260101000000_create.sql'),
    `-- migrate:up\n${create}\n-- migrate:down\n`,
  );
  writeFileSync(
    join(dir, 'db/migrations/20260101000001_rows.sql'),
    `-- migrate:up\n${inserts}\n-- migrate:down\n`,
  );
  policies(dir, 'data_sqlgate');
  const times = await pairedRounds(server, 'data', eachTool(server, dir, 'data', create + inserts), 3);
  const [rows] = await server.query<{ n: number }>('SELECT COUNT(*) AS n FROM data_sqlgate.rows_in');
  if (Number(rows?.n) !== count) throw new Error(`sqlgate inserted ${rows?.n} rows, not ${count}`);
  rmSync(dir, { recursive: true, force: true });
  return [
    [`\`mariadb\` client, ${count} INSERTs piped in (reference)`, ms(median(times.map((t) => t.client)))],
    ['`sqlgate deploy`', ms(median(times.map((t) => t.sqlgate)))],
    ['dbmate up (the file in one transaction)', ms(median(times.map((t) => t.dbmate)))],
    ['sqlgate ÷ client, median of 3 paired rounds', pairedRatio(times, (t) => t.sqlgate / t.client)],
    ['sqlgate ÷ dbmate, median of 3 paired rounds', pairedRatio(times, (t) => t.sqlgate / t.dbmate)],
  ];
}

/** How long the network scenario's proxy holds each packet, each way: a ~2 ms round trip. */
const NETWORK_DELAY_MS = 1;

/** bench/delay-proxy.ts in front of the server, as a process of its own. */
async function delayProxy(server: MariaDbServer, delayMs: number): Promise<Endpoint & { stop(): void }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'bench/delay-proxy.ts'), String(server.port), String(delayMs)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.once('data', (chunk) => resolve(Number(String(chunk).trim())));
    child.once('exit', (code) => reject(new Error(`the delay proxy exited (${code}) before it listened`)));
  });
  return { port, url: `mysql://root:@127.0.0.1:${port}/`, stop: () => child.kill() };
}

/**
 * The 500 migrations again with a network between each tool and the server. Loopback answers
 * in microseconds, which hides what a tool's round trips cost; a CI runner and its database
 * are a millisecond or more apart, and every round trip pays that.
 */
export async function overNetwork(server: MariaDbServer): Promise<[string, string][]> {
  const proxy = await delayProxy(server, NETWORK_DELAY_MS);
  const dir = mkdtempSync(join(tmpdir(), 'sqlgate-bench-net-'));
  try {
    const probe = 'SELECT 1;\n'.repeat(200);
    const added = median(
      [0, 1, 2].map(
        () =>
          (timed(() => tools.client(proxy, 'mysql', probe)) -
            timed(() => tools.client(server, 'mysql', probe))) /
          200,
      ),
    );
    const sql = migrations(dir, 500).join('');
    policies(dir, 'net_sqlgate');
    const times = await pairedRounds(server, 'net', eachTool(proxy, dir, 'net', sql), 3);
    const [created] = await server.query<{ n: number }>(
      "SELECT COUNT(*) AS n FROM net_sqlgate.sqlgate_history WHERE status = 'success'",
    );
    if (Number(created?.n) !== 500) throw new Error(`sqlgate recorded ${created?.n} files, not 500`);
    return [
      [
        `time a round trip gains through the proxy (${NETWORK_DELAY_MS} ms each way; 200 SELECT 1, median of 3)`,
        ms(added),
      ],
      ['`mariadb` client, 500 migrations (reference)', ms(median(times.map((t) => t.client)))],
      ['`sqlgate deploy`', ms(median(times.map((t) => t.sqlgate)))],
      ['dbmate up', ms(median(times.map((t) => t.dbmate)))],
      ['sqlgate ÷ client, median of 3 paired rounds', pairedRatio(times, (t) => t.sqlgate / t.client)],
      ['dbmate ÷ client, median of 3 paired rounds', pairedRatio(times, (t) => t.dbmate / t.client)],
      ['sqlgate ÷ dbmate, median of 3 paired rounds', pairedRatio(times, (t) => t.sqlgate / t.dbmate)],
    ];
  } finally {
    proxy.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function fleet(server: MariaDbServer): Promise<[string, string][]> {
  const dir = mkdtempSync(join(tmpdir(), 'sqlgate-fleet-'));
  migrations(dir, 30);
  const names = Array.from({ length: 64 }, (_, i) => `tenant_${String(i).padStart(2, '0')}`);
  const policy: Policy = {
    roles: [],
    risk: { rules: [], unparsedLevel: 'high', preset: 'bytebase' },
    approval: {
      flows: [],
      assignments: [],
      staleApprovals: 'on-sql-change',
      policyChangeFlow: {
        id: 'p',
        title: 'p',
        steps: [{ role: 'dba', count: 1 }],
        order: 'strict',
        allowSamePersonInSteps: false,
        blockOnChangesRequested: true,
      },
    },
    environments: [
      {
        id: 'prod',
        title: 'Prod',
        order: 1,
        rollout: 'automatic',
        lockWaitTimeout: 5,
        verifyApprovals: true,
      },
    ],
    databases: names.map((name) => ({
      name,
      environment: 'prod',
      urlEnv: 'FLEET_URL',
      migrations: 'app',
      create: true,
    })),
  };
  const run = async (concurrency: number) => {
    for (const n of names) await server.query(`DROP DATABASE IF EXISTS ${n}`);
    const start = performance.now();
    const reports = await deployEnvironment({
      policy,
      environment: 'prod',
      root: dir,
      migrationsDir: 'migrations',
      targets: targetsFromEnv({ FLEET_URL: server.url }),
      concurrency,
      dryRun: false,
      lockTimeoutSeconds: 5,
      appliedBy: 'bench',
      gitSha: null,
      log: () => {},
    });
    if (reports.some((r) => r.status !== 'applied')) throw new Error('fleet deploy failed');
    return performance.now() - start;
  };
  const one: number[] = [];
  const eight: number[] = [];
  for (let round = 0; round < 3; round++) {
    one.push(await run(1));
    eight.push(await run(8));
  }
  rmSync(dir, { recursive: true, force: true });
  return [
    ['64 databases × 30 migrations, concurrency 1', ms(median(one))],
    ['64 databases × 30 migrations, concurrency 8', ms(median(eight))],
    [
      'speed-up, median of 3 paired rounds',
      `${median(one.map((o, i) => o / (eight[i] as number))).toFixed(2)}x`,
    ],
  ];
}

/**
 * Round trips per migration, from the server's general log (one entry per COM_QUERY packet), and
 * where each tool's time goes: the server's own time per statement from the slow log
 * (long_query_time = 0), the rest being the tool's process, the driver and the network. The replay
 * sends every packet sqlgate sent, as sqlgate sent it, through the `mariadb` client (which costs
 * next to nothing per packet): the server's work on the migrations plus sqlgate's durable
 * bookkeeping, the floor for this way of recording each statement.
 */
export async function queriesPerMigration(server: MariaDbServer): Promise<[string, string][]> {
  const count = 300;
  const dir = mkdtempSync(join(tmpdir(), 'sqlgate-bench-log-'));
  const sql = migrations(dir, count).join('');
  const logged = async (db: string, run: () => void) => {
    await fresh(server, db);
    await server.query('TRUNCATE mysql.general_log');
    await server.query('SET GLOBAL general_log = 1');
    run();
    await server.query('SET GLOBAL general_log = 0');
    // A prepared statement (dbmate's history insert) is two round trips: prepare, then execute.
    const rows = await server.query<{ t: string; a: string }>(
      "SELECT command_type AS t, CONVERT(argument USING utf8mb4) AS a FROM mysql.general_log WHERE command_type IN ('Query', 'Prepare', 'Execute') AND argument NOT LIKE 'SET GLOBAL general_log%'",
    );
    return { roundTrips: rows.length, queries: rows.filter((r) => r.t === 'Query').map((r) => r.a) };
  };
  /** Wall time of `run`, and the server's time on its statements (slow log, every statement). */
  const serverTime = async (db: string, run: () => void) => {
    await fresh(server, db);
    await server.query('TRUNCATE mysql.slow_log');
    await server.query('SET GLOBAL long_query_time = 0');
    await server.query('SET GLOBAL slow_query_log = 1');
    const wall = timed(run);
    await server.query('SET GLOBAL slow_query_log = 0');
    const [sum] = await server.query<{ s: number }>(
      "SELECT SUM(TIME_TO_SEC(query_time)) * 1000 AS s FROM mysql.slow_log WHERE sql_text NOT LIKE 'SET GLOBAL%'",
    );
    return { wall, server: Number(sum?.s) };
  };
  const client = (db: string, input: string) => () => tools.client(server, db, input);
  const sqlgate = () => tools.sqlgate(server, dir);
  const dbmate = () => tools.dbmate(server, dir, 'log_dbmate');
  await server.query("SET GLOBAL log_output = 'TABLE'");
  const byClient = await logged('log_client', client('log_client', sql));
  policies(dir, 'log_sqlgate');
  const bySqlgate = await logged('log_sqlgate', sqlgate);
  const byDbmate = await logged('log_dbmate', dbmate);
  // Packet by packet, as sqlgate sent them ($$ ends each); one connection replays both of
  // sqlgate's, so the lock checks name its own connection instead.
  const replay = `DELIMITER $$\n${bySqlgate.queries
    .map((q) => q.replaceAll('log_sqlgate', 'log_replay').replace(/<=> \d+\)/g, '<=> CONNECTION_ID())'))
    .join('$$\n')}$$\nDELIMITER ;\n`;
  const measured = {
    client: ['log_client', client('log_client', sql)],
    replay: ['log_replay', client('log_replay', replay)],
    sqlgate: ['log_sqlgate', sqlgate],
    dbmate: ['log_dbmate', dbmate],
  } as const;
  const rounds: Record<keyof typeof measured, { wall: number; server: number }>[] = [];
  for (let round = 0; round < 3; round++) {
    const r = {} as (typeof rounds)[number];
    for (const [tool, [db, run]] of Object.entries(measured))
      r[tool as keyof typeof measured] = await serverTime(db, run);
    rounds.push(r);
  }
  const [replayed] = await server.query<{ n: number }>(
    "SELECT COUNT(*) AS n FROM log_replay.sqlgate_history WHERE status = 'success'",
  );
  if (Number(replayed?.n) !== count)
    throw new Error(`the replay recorded ${replayed?.n} files, not ${count}`);
  rmSync(dir, { recursive: true, force: true });
  const ratio = (f: (p: (typeof rounds)[number]) => number) => `${median(rounds.map(f)).toFixed(2)}x`;
  const split = (tool: keyof typeof measured) =>
    `${ms(median(rounds.map((r) => r[tool].server)))} on the server + ${ms(median(rounds.map((r) => r[tool].wall - r[tool].server)))} outside it`;
  return [
    ...(
      [
        ['`mariadb` client', byClient],
        ['sqlgate deploy', bySqlgate],
        ['dbmate up', byDbmate],
      ] as const
    ).map(([tool, log]): [string, string] => [
      `round trips per migration, ${tool} (${count} migrations)`,
      (log.roundTrips / count).toFixed(2),
    ]),
    ['`mariadb` client (slow log on, median of 3)', split('client')],
    ["sqlgate's packets replayed by the client", split('replay')],
    ['sqlgate deploy', split('sqlgate')],
    ['dbmate up', split('dbmate')],
    ["server time: sqlgate's ÷ client's", ratio((r) => r.sqlgate.server / r.client.server)],
    ["server time: dbmate's ÷ client's", ratio((r) => r.dbmate.server / r.client.server)],
    ['replay ÷ client, wall (the floor for this bookkeeping)', ratio((r) => r.replay.wall / r.client.wall)],
    ['sqlgate deploy ÷ that replay, wall (its own process)', ratio((r) => r.sqlgate.wall / r.replay.wall)],
  ];
}

export async function benchDeploy(): Promise<void> {
  const server = await MariaDbServer.start();
  // The throwaway server is sized to start fast in tests (16 MB buffer pool, 8 MB redo log); 64
  // databases written at once would mostly measure its redo-log checkpoints. Give it what any
  // real server has (both are dynamic in MariaDB >= 10.9).
  await server.query('SET GLOBAL innodb_buffer_pool_size = 268435456');
  await server.query('SET GLOBAL innodb_log_file_size = 268435456');
  try {
    report('deploy: round trips, and where the time goes', await queriesPerMigration(server));
    report(
      `deploy: 500 small migrations (CREATE TABLE / ALTER / INSERT), ${ROUNDS} paired rounds`,
      await sqlgateVsPeers(server),
    );
    report('deploy: one data migration of 2,000 single-row INSERTs', await dataMigration(server));
    report(
      `deploy: the 500 migrations across a network (${NETWORK_DELAY_MS} ms each way), 3 paired rounds`,
      await overNetwork(server),
    );
    report('deploy: a fleet of 64 databases on one server', await fleet(server));
    report(STARTUP_TITLE, await startupRows(server));
  } finally {
    await server.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchDeploy();
