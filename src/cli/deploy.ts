import { userInfo } from 'node:os';
import { targetsFromEnv } from '../db/targets.js';
import { exitCodeOfReports } from '../deploy/apply.js';
import { cancelOnSignals } from '../deploy/cancel.js';
import { deployEnvironment, selectDatabases } from '../deploy/fleet.js';
import { repairDatabase } from '../deploy/repair.js';
import { readMigrationFolder } from '../deploy/sources.js';
import { readDatabaseStatus } from '../deploy/status.js';
import { versionKey } from '../deploy/types.js';
import { InputError } from '../errors.js';
import { headCommit } from '../git/head.js';
import { formatRepair, formatReports, formatStatus } from '../report/deploy.js';
import { parseMigrationName } from '../sql/migration-name.js';
import type { CliIo } from './io.js';
import { loadPolicyDir } from './policies.js';

export interface DeployCliOptions {
  readonly policies: string;
  readonly migrations: string;
  readonly env: string;
  readonly database?: string;
  readonly dryRun: boolean;
  readonly concurrency: string;
  readonly shard?: string;
  readonly lockTimeout: string;
}

function positiveInt(flag: string, value: string, min = 1): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw new InputError(`${flag} must be a whole number ≥ ${min}, not "${value}"`);
  return n;
}

export function whoDeploys(env: Readonly<Record<string, string | undefined>>): string {
  return env.GITHUB_ACTOR ?? env.USER ?? userInfo().username;
}

export async function runDeploy(io: CliIo, o: DeployCliOptions): Promise<number> {
  const policy = loadPolicyDir(io, o.policies);
  const cancel = cancelOnSignals({ say: (line) => io.err(line), exitOnSecond: true });
  const reports = await deployEnvironment({
    signal: cancel.signal,
    policy,
    environment: o.env,
    root: io.cwd,
    migrationsDir: o.migrations.replace(/\/+$/, ''),
    targets: targetsFromEnv(io.env),
    ...(o.database !== undefined ? { database: o.database } : {}),
    ...(o.shard !== undefined ? { shard: o.shard } : {}),
    concurrency: positiveInt('--concurrency', o.concurrency),
    dryRun: o.dryRun,
    lockTimeoutSeconds: positiveInt('--lock-timeout', o.lockTimeout, 0),
    appliedBy: whoDeploys(io.env),
    gitSha: headCommit(io.cwd, io.env),
    log: (line) => io.out(line),
    onStatement: (p) => {
      // Long files get a progress line every 10 statements; short ones are reported at the end.
      if (p.total >= 20 && (p.statement % 10 === 0 || p.statement === p.total))
        io.err(`${p.database}: ${p.file}: ${p.statement}/${p.total} statements`);
    },
  }).finally(cancel.dispose);
  if (o.dryRun) io.out('dry run: nothing was changed');
  for (const line of formatReports(reports)) io.out(line);
  return exitCodeOfReports(reports);
}

export async function runStatus(
  io: CliIo,
  o: { policies: string; env: string; database?: string },
): Promise<number> {
  const policy = loadPolicyDir(io, o.policies);
  const { databases } = selectDatabases(
    policy,
    o.env,
    o.database !== undefined ? { database: o.database } : {},
  );
  const targets = targetsFromEnv(io.env);
  for (const database of databases)
    for (const line of formatStatus(await readDatabaseStatus(database, targets.of(database)))) io.out(line);
  return 0;
}

export async function runRepair(
  io: CliIo,
  o: {
    policies: string;
    migrations: string;
    env: string;
    database?: string;
    version?: string;
    mark?: string;
  },
): Promise<number> {
  if (!o.database || !o.version || (o.mark !== 'applied' && o.mark !== 'not-applied')) {
    throw new InputError('repair needs --env ID --database NAME --version V --mark applied|not-applied');
  }
  const policy = loadPolicyDir(io, o.policies);
  const { databases } = selectDatabases(policy, o.env, { database: o.database });
  const database = databases[0];
  if (!database) throw new InputError(`database "${o.database}" is not in environment ${o.env}`);
  const parsed = parseMigrationName(
    `${o.migrations}/${database.migrations}/${o.version}_x.sql`,
    o.migrations,
  );
  if ('format' in parsed) throw new InputError(`--version "${o.version}" is not a migration version`);
  const key = versionKey(parsed.parts);
  const result = await repairDatabase({
    database,
    target: targetsFromEnv(io.env).of(database),
    version: o.version,
    versionKey: key,
    mark: o.mark,
    file: readMigrationFolder(io.cwd, o.migrations, database.migrations).find(
      (f) => versionKey(f.name.parts) === key,
    ),
    by: whoDeploys(io.env),
  });
  io.out(formatRepair(result));
  return 0;
}
