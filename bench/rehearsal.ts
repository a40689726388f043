// Rehearsal speed on a throwaway MariaDB server: a repository with 300 past migrations on main
// (CREATE TABLE / ALTER / CREATE INDEX / INSERT) and a PR of 3 migrations, one with a down file.
// Reference: piping the same 303 migrations through the `mariadb` client into a fresh database.
// Measured: `sqlgate rehearse --url` end to end (git, plan, base built once in one batch per file,
// the PR's files with the deploy engine, up → down → up), and `sqlgate rehearse` starting its
// own server. And the base alone, both ways, in alternating pairs: the deploy engine (one
// statement per round trip, history written around each) against one batch per file.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { runCli } from '../src/cli.js';
import { MariaDbServer } from '../src/db/mariadb-server.js';
import { parseDatabaseUrl } from '../src/db/url.js';
import { deployDatabase } from '../src/deploy/apply.js';
import { migrationFileOf } from '../src/deploy/sources.js';
import type { MigrationFile } from '../src/deploy/types.js';
import { buildBaseInBatches } from '../src/rehearsal/base.js';
import { parseMigrationName } from '../src/sql/migration-name.js';
import { ms, report } from './measure.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const PAST = 300;

function write(dir: string, path: string, text: string): void {
  mkdirSync(dirname(join(dir, path)), { recursive: true });
  writeFileSync(join(dir, path), text);
}

function past(i: number): string {
  const t = `t${Math.floor(i / 4)}`;
  switch (i % 4) {
    case 0:
      return `CREATE TABLE ${t} (id INT PRIMARY KEY, name VARCHAR(40));\n`;
    case 1:
      return `ALTER TABLE ${t} ADD COLUMN c${i} INT NULL;\n`;
    case 2:
      return `CREATE INDEX ix_${t}_name ON ${t} (name);\n`;
    default:
      return `INSERT INTO ${t} (id, name) VALUES (1, 'a'), (2, 'b'), (3, 'c');\n`;
  }
}

export function makeRepo(): { dir: string; sql: string } {
  const dir = mkdtempSync(join(tmpdir(), 'sqlgate-bench-rehearsal-'));
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'ignore' });
  git('init', '-q', '-b', 'main');
  git('config', 'user.email', 'bench@example.com');
  git('config', 'user.name', 'Bench');
  const policies = existsSync(join(ROOT, 'policies/environments.yaml'))
    ? join(ROOT, 'policies')
    : join(ROOT, 'examples/seed/policies');
  cpSync(policies, join(dir, 'policies'), { recursive: true });
  let sql = '';
  for (let i = 0; i < PAST; i++) {
    const text = past(i);
    write(dir, `migrations/test_db/${1000 + i}_m${i}.sql`, text);
    sql += text;
  }
  git('add', '-A');
  git('commit', '-q', '-m', 'past');
  git('checkout', '-q', '-b', 'feature');
  const pr: Record<string, string> = {
    'migrations/test_db/2000_email.sql':
      'ALTER TABLE t1 ADD COLUMN email VARCHAR(100);\nCREATE INDEX ix_t1_email ON t1 (email);\n',
    'migrations/test_db/2000_email.down.sql':
      'DROP INDEX ix_t1_email ON t1;\nALTER TABLE t1 DROP COLUMN email;\n',
    'migrations/test_db/2001_audit.sql':
      'CREATE TABLE audit (id BIGINT PRIMARY KEY, at DATETIME NOT NULL);\n',
    'migrations/test_db/2002_backfill.sql': "UPDATE t2 SET name = 'x' WHERE id = 1;\n",
  };
  for (const [path, text] of Object.entries(pr)) {
    write(dir, path, text);
    if (!path.endsWith('.down.sql')) sql += text;
  }
  git('add', '-A');
  git('commit', '-q', '-m', 'pr');
  return { dir, sql };
}

async function rehearseOnce(dir: string, url?: string): Promise<number> {
  const out: string[] = [];
  const start = performance.now();
  const code = await runCli(['rehearse', '--base', 'main', ...(url ? ['--url', url] : [])], {
    cwd: dir,
    env: {},
    out: (t) => out.push(t),
    err: () => {},
  });
  const took = performance.now() - start;
  if (code !== 0) throw new Error(`rehearse exited ${code}:\n${out.join('\n')}`);
  return took;
}

function baseFiles(): MigrationFile[] {
  return Array.from({ length: PAST }, (_, i) => {
    const name = parseMigrationName(`migrations/test_db/${1000 + i}_m${i}.sql`, 'migrations');
    if ('format' in name) throw new Error(name.message);
    return migrationFileOf(name, past(i));
  });
}

/** The base alone: the deploy engine, then one batch per file, each into a fresh database. */
async function basePair(server: MariaDbServer, round: number): Promise<{ engine: number; batches: number }> {
  const target = parseDatabaseUrl('bench', server.url);
  const files = baseFiles();
  const engineDb = `base_engine_${round}`;
  const batchDb = `base_batches_${round}`;
  let start = performance.now();
  const report = await deployDatabase({
    database: { name: engineDb, environment: 'bench', urlEnv: 'bench', migrations: 'test_db', create: true },
    target,
    files,
    lockWaitTimeoutSeconds: 60,
    lockTimeoutSeconds: 10,
    appliedBy: 'bench',
    gitSha: null,
    dryRun: false,
    log: () => {},
  });
  const engine = performance.now() - start;
  if (report.status !== 'applied') throw new Error(`engine: ${report.status} ${report.message ?? ''}`);
  start = performance.now();
  const ok = await buildBaseInBatches({ target, schema: batchDb, files, appliedBy: 'bench' });
  const batches = performance.now() - start;
  if (!ok) throw new Error('batches: a batch failed');
  for (const db of [engineDb, batchDb]) await server.query(`DROP DATABASE ${db}`);
  return { engine, batches };
}

export async function benchRehearsal(): Promise<void> {
  const { dir, sql } = makeRepo();
  const server = await MariaDbServer.start();
  const times: { client: number; rehearse: number }[] = [];
  const bases: { engine: number; batches: number }[] = [];
  try {
    for (let round = 0; round < 3; round++) {
      await server.query(`DROP DATABASE IF EXISTS via_client`);
      await server.query(`CREATE DATABASE via_client`);
      let start = performance.now();
      execFileSync('mariadb', ['-h', '127.0.0.1', '-P', String(server.port), '-uroot', 'via_client'], {
        input: sql,
      });
      const client = performance.now() - start;
      start = performance.now();
      const rehearse = await rehearseOnce(dir, server.url);
      times.push({ client, rehearse });
      bases.push(await basePair(server, round));
    }
  } finally {
    await server.stop();
  }
  const own = await rehearseOnce(dir);
  rmSync(dir, { recursive: true, force: true });
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
  const client = med(times.map((t) => t.client));
  const rehearse = med(times.map((t) => t.rehearse));
  report(`rehearsal: ${PAST} past migrations + a PR of 3 (one with a down file)`, [
    [`mariadb client, the ${PAST + 3} migrations piped into a fresh database (reference)`, ms(client)],
    ['sqlgate rehearse --url (plan, base once, PR files, up → down → up)', ms(rehearse)],
    ['ratio rehearse / client (of the medians)', `${(rehearse / client).toFixed(2)}x`],
    [
      'ratio rehearse / client (median of per-round ratios)',
      `${med(times.map((t) => t.rehearse / t.client)).toFixed(2)}x`,
    ],
    ['rehearse, slowest of the rounds', ms(Math.max(...times.map((t) => t.rehearse)))],
    ['sqlgate rehearse, starting its own throwaway mariadbd', ms(own)],
    [`base alone (${PAST} files): deploy engine`, ms(med(bases.map((b) => b.engine)))],
    [`base alone (${PAST} files): one batch per file`, ms(med(bases.map((b) => b.batches)))],
    [
      'ratio batches / engine (median of per-pair ratios)',
      `${med(bases.map((b) => b.batches / b.engine)).toFixed(2)}x`,
    ],
    ['target', 'rehearsal adds < 30 s'],
  ]);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await benchRehearsal();
