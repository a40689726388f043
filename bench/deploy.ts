// Deploy speed on a throwaway MariaDB server.
// 1. 500 small migrations (CREATE TABLE / ALTER / INSERT): sqlgate deploy, bookkeeping
//    included, against piping the same SQL through the `mariadb` client into a fresh database.
// 2. 64 databases on one server: concurrency 1 against 8.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseDatabaseUrl } from '../src/db/url.js';
import { deployDatabase } from '../src/deploy/apply.js';
import { deployEnvironment } from '../src/deploy/fleet.js';
import { readMigrationFolder } from '../src/deploy/sources.js';
import type { Policy } from '../src/policy/types.js';
import { MariaDbServer } from '../test/support/mariadb.js';
import { ms, report } from './measure.js';

function migrations(dir: string, count: number): string[] {
  mkdirSync(join(dir, 'migrations/app'), { recursive: true });
  const all: string[] = [];
  for (let i = 0; i < count; i++) {
    const t = `t${Math.floor(i / 3)}`;
    const sql =
      i % 3 === 0
        ? `CREATE TABLE ${t} (id INT PRIMARY KEY, name VARCHAR(40));\n`
        : i % 3 === 1
          ? `ALTER TABLE ${t} ADD COLUMN c${i} INT NULL;\n`
          : `INSERT INTO ${t} (id, name) VALUES (1, 'a'), (2, 'b'), (3, 'c');\n`;
    writeFileSync(join(dir, `migrations/app/${1000 + i}_m${i}.sql`), sql);
    all.push(sql);
  }
  return all;
}

async function sqlgateVsClient(server: MariaDbServer): Promise<[string, string][]> {
  const dir = mkdtempSync(join(tmpdir(), 'sqlgate-bench-'));
  const sql = migrations(dir, 500);
  const target = parseDatabaseUrl('BENCH_URL', server.url);
  const rows: [string, string][] = [];
  const times: { client: number; sqlgate: number }[] = [];
  for (let round = 0; round < 3; round++) {
    await server.query(`DROP DATABASE IF EXISTS via_client_${round}`);
    await server.query(`CREATE DATABASE via_client_${round}`);
    let start = performance.now();
    execFileSync('mariadb', ['-h', '127.0.0.1', '-P', String(server.port), '-uroot', `via_client_${round}`], {
      input: sql.join(''),
    });
    const client = performance.now() - start;

    await server.query(`DROP DATABASE IF EXISTS via_sqlgate_${round}`);
    await server.query(`CREATE DATABASE via_sqlgate_${round}`);
    start = performance.now();
    const result = await deployDatabase({
      database: {
        name: `via_sqlgate_${round}`,
        environment: 'bench',
        urlEnv: 'BENCH_URL',
        migrations: 'app',
        create: false,
      },
      target,
      files: readMigrationFolder(dir, 'migrations', 'app'),
      lockWaitTimeoutSeconds: 60,
      lockTimeoutSeconds: 5,
      appliedBy: 'bench',
      gitSha: null,
      dryRun: false,
      log: () => {},
    });
    const sqlgate = performance.now() - start;
    if (result.status !== 'applied') throw new Error(`deploy ${result.status}: ${result.message}`);
    times.push({ client, sqlgate });
  }
  rmSync(dir, { recursive: true, force: true });
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
  const client = med(times.map((t) => t.client));
  const sqlgate = med(times.map((t) => t.sqlgate));
  rows.push(
    ['mariadb client, 500 migrations piped into a fresh database (reference)', ms(client)],
    ['sqlgate deploy, same migrations, with history and lock bookkeeping', ms(sqlgate)],
    ['ratio sqlgate / client', `${(sqlgate / client).toFixed(2)}x`],
  );
  return rows;
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
        lockWaitTimeout: 60,
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
      env: { FLEET_URL: server.url },
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
  const one = await run(1);
  const eight = await run(8);
  rmSync(dir, { recursive: true, force: true });
  return [
    ['64 databases × 30 migrations, concurrency 1', ms(one)],
    ['64 databases × 30 migrations, concurrency 8', ms(eight)],
    ['speed-up', `${(one / eight).toFixed(2)}x`],
  ];
}

export async function benchDeploy(): Promise<void> {
  const server = await MariaDbServer.start();
  try {
    report(
      'deploy: 500 small migrations (CREATE TABLE / ALTER / INSERT), median of 3',
      await sqlgateVsClient(server),
    );
    report('deploy: a fleet of 64 databases on one server', await fleet(server));
  } finally {
    await server.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchDeploy();
