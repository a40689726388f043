// Working trees for deploy tests: the seed policies with one database (its own name) in a Test
// environment on a given server, and the migrations given.
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseDatabaseUrl } from '../../src/db/url.js';
import { deployDatabase } from '../../src/deploy/apply.js';
import { readMigrationFolder } from '../../src/deploy/sources.js';
import { REPO_ROOT } from '../policy/seed-texts.js';
import type { MariaDbServer } from './mariadb.js';

export interface Workdir {
  readonly dir: string;
  readonly db: string;
  readonly env: Record<string, string>;
}

let counter = 0;
const made: string[] = [];

export function write(dir: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
}

export async function makeWorkdir(
  server: MariaDbServer,
  migrations: Record<string, string>,
  options: { prefix?: string; lockWaitTimeout?: number } = {},
): Promise<Workdir> {
  const dir = mkdtempSync(join(tmpdir(), 'sqlgate-deploy-'));
  made.push(dir);
  const db = `${options.prefix ?? 'app'}_${process.pid}_${++counter}`;
  cpSync(join(REPO_ROOT, 'examples/seed/policies'), join(dir, 'policies'), { recursive: true });
  const wait = options.lockWaitTimeout ? `, lockWaitTimeout: ${options.lockWaitTimeout}` : '';
  writeFileSync(
    join(dir, 'policies/environments.yaml'),
    `environments:\n  - {id: test, title: Test, order: 1, rollout: automatic${wait}}\n  - {id: prod, title: Prod, order: 2, rollout: manual, tag: "prod/*", rolloutRoles: [dba]}\ndatabases:\n  - {name: ${db}, environment: test, urlEnv: TEST_DB_URL, migrations: app}\n  - {name: ${db}, environment: prod, urlEnv: PROD_DB_URL, migrations: app}\n`,
  );
  write(dir, migrations);
  await server.query(`CREATE DATABASE ${db}`);
  return { dir, db, env: { TEST_DB_URL: server.url, PROD_DB_URL: server.url } };
}

/** deployDatabase on the migrations of a workdir, for faults the CLI cannot time. */
export function deployWorkdir(
  server: MariaDbServer,
  w: Workdir,
  options: Partial<Parameters<typeof deployDatabase>[0]> = {},
) {
  return deployDatabase({
    database: { name: w.db, environment: 'test', urlEnv: 'TEST_DB_URL', migrations: 'app', create: false },
    target: parseDatabaseUrl('TEST_DB_URL', server.url),
    files: readMigrationFolder(w.dir, 'migrations', 'app'),
    lockWaitTimeoutSeconds: 60,
    lockTimeoutSeconds: 5,
    appliedBy: 'test',
    gitSha: null,
    dryRun: false,
    log: () => {},
    ...options,
  });
}

export function removeWorkdirs(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** `sqlgate` as its own process (signals, kills and concurrent runs need one). */
export function spawnCli(
  args: string[],
  options: { cwd: string; env: Record<string, string> },
): { child: ReturnType<typeof spawn>; done: Promise<{ code: number | null; out: string; err: string }> } {
  const child = spawn(process.execPath, [join(REPO_ROOT, 'bin/sqlgate.js'), ...args], {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d) => {
    out += d;
  });
  child.stderr?.on('data', (d) => {
    err += d;
  });
  const done = new Promise<{ code: number | null; out: string; err: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, out, err })),
  );
  return { child, done };
}

/** Wait until the server shows a query matching `like` (information_schema LIKE pattern). */
export async function waitForQuery(server: MariaDbServer, like: string, timeoutMs = 20_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await server.query<{ ID: number }>(
      `SELECT ID FROM information_schema.PROCESSLIST WHERE INFO LIKE '${like.replace(/'/g, "''")}' AND ID <> CONNECTION_ID()`,
    );
    if (rows[0]) return Number(rows[0].ID);
    if (Date.now() > deadline) throw new Error(`the server never ran a query like ${like}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Each of `count` statements ran once: no value of `runs.statement` twice, `count` rows in all. */
export async function expectEachStatementOnce(
  server: MariaDbServer,
  db: string,
  count: number,
): Promise<void> {
  const { expect } = await import('vitest');
  expect(
    await server.query(`SELECT statement, COUNT(*) AS n FROM ${db}.runs GROUP BY statement HAVING n > 1`),
  ).toEqual([]);
  expect(await server.query(`SELECT COUNT(*) AS n FROM ${db}.runs`)).toEqual([{ n: count }]);
}
