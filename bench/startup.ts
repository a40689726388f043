// `sqlgate deploy` when nothing is pending: 500 migration files, all already applied. What is
// left is the fixed cost every deploy pays before its first statement (module load, policies,
// reading and checksumming the files, one history read), measured as the process a user runs.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { MariaDbServer } from '../test/support/mariadb.js';
import { ms, report } from './measure.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const FILES = 500;
const RUNS = 15;
export const STARTUP_TITLE = `deploy: start-up, nothing pending (fresh process each run, median of ${RUNS})`;

/** A git checkout with `count` migrations and the seed policies, deploying database `app`. */
export function startupProject(count = FILES): string {
  const dir = mkdtempSync(join(tmpdir(), 'sqlgate-startup-'));
  mkdirSync(join(dir, 'migrations/app'), { recursive: true });
  for (let i = 0; i < count; i++) {
    writeFileSync(
      join(dir, `migrations/app/${1000 + i}_m${i}.sql`),
      `CREATE TABLE t${i} (id INT PRIMARY KEY, name VARCHAR(40));\n`,
    );
  }
  cpSync(join(ROOT, 'examples/seed/policies'), join(dir, 'policies'), { recursive: true });
  writeFileSync(
    join(dir, 'policies/environments.yaml'),
    'environments:\n  - {id: test, title: Test, order: 1, rollout: automatic}\n  - {id: prod, title: Prod, order: 2, rollout: manual, tag: "prod/*", rolloutRoles: [dba]}\ndatabases:\n  - {name: app, environment: test, urlEnv: BENCH_URL, migrations: app}\n',
  );
  // A checkout, as a deploy runs in: the commit it records is read from it.
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=bench', '-c', 'user.email=bench@example.com', ...args], {
      cwd: dir,
    });
  git('init', '-q');
  git('add', '.');
  git('commit', '-q', '-m', 'migrations');
  return dir;
}

export function deployIn(dir: string, url: string): void {
  execFileSync(process.execPath, [join(ROOT, 'bin/sqlgate.js'), 'deploy', '--env', 'test'], {
    cwd: dir,
    env: { ...process.env, BENCH_URL: url },
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

function timed(fn: () => void): number {
  const start = performance.now();
  fn();
  return performance.now() - start;
}

/** Rows for the report; `server` is shared with the caller's other benchmarks when it has one. */
export async function startupRows(server: MariaDbServer): Promise<[string, string][]> {
  const dir = startupProject();
  try {
    await server.query('DROP DATABASE IF EXISTS app');
    await server.query('CREATE DATABASE app');
    deployIn(dir, server.url); // applies all 500: every later run has nothing pending
    const bare = () => execFileSync(process.execPath, ['-e', '']);
    const deploy = () => deployIn(dir, server.url);
    // Alternated, so load on the machine hits both alike.
    const times = { bare: [] as number[], deploy: [] as number[] };
    for (let round = 0; round < RUNS + 1; round++) {
      const t = { bare: timed(bare), deploy: timed(deploy) };
      if (round === 0) continue; // warms the page cache
      times.bare.push(t.bare);
      times.deploy.push(t.deploy);
    }
    const [b, d] = [median(times.bare), median(times.deploy)];
    return [
      ['node -e "" (reference)', ms(b)],
      [`\`sqlgate deploy\`, nothing pending (${FILES} files applied)`, `${ms(d)}  (+${ms(d - b)} over node)`],
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchStartup(): Promise<void> {
  const server = await MariaDbServer.start();
  try {
    report(STARTUP_TITLE, await startupRows(server));
  } finally {
    await server.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchStartup();
