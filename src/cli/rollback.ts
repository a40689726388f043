// `sqlgate rollback --env ID --to VERSION`: the down files of every version above VERSION, newest
// first, in each database of the environment (see src/rollback/rollback.ts).
import { targetsFromEnv } from '../db/targets.js';
import { selectDatabases } from '../deploy/fleet.js';
import { readMigrationFolder } from '../deploy/sources.js';
import { versionKey } from '../deploy/types.js';
import { InputError } from '../errors.js';
import { formatRollback } from '../report/rollback.js';
import { readDownFiles } from '../rollback/down-files.js';
import { type RollbackReport, rollbackDatabase } from '../rollback/rollback.js';
import { parseMigrationName } from '../sql/migration-name.js';
import { whoDeploys } from './deploy.js';
import type { CliIo } from './io.js';
import { loadPolicyDir } from './policies.js';

export interface RollbackCliOptions {
  readonly policies: string;
  readonly migrations: string;
  readonly env: string;
  readonly database?: string;
  readonly to?: string;
  readonly lockTimeout: string;
}

export async function runRollback(io: CliIo, o: RollbackCliOptions): Promise<number> {
  if (!o.to)
    throw new InputError('rollback needs --env ID --to VERSION (every version above VERSION is rolled back)');
  const migrations = o.migrations.replace(/\/+$/, '');
  const parsed = parseMigrationName(`${migrations}/x/${o.to}_x.sql`, migrations);
  if ('format' in parsed) throw new InputError(`--to "${o.to}" is not a migration version`);
  const lockTimeout = Number(o.lockTimeout);
  if (!Number.isInteger(lockTimeout) || lockTimeout < 0)
    throw new InputError(`--lock-timeout must be a whole number ≥ 0, not "${o.lockTimeout}"`);
  const policy = loadPolicyDir(io, o.policies);
  const { environment, databases } = selectDatabases(
    policy,
    o.env,
    o.database !== undefined ? { database: o.database } : {},
  );
  // Every URL and file is read before any database is touched: bad input changes nothing.
  const targets = targetsFromEnv(io.env);
  const work = databases.map((database) => ({
    database,
    target: targets.of(database),
    files: readMigrationFolder(io.cwd, migrations, database.migrations),
    downs: readDownFiles(io.cwd, migrations, database.migrations),
  }));
  const reports: RollbackReport[] = [];
  for (const w of work) {
    const report = await rollbackDatabase({
      ...w,
      toKey: versionKey(parsed.parts),
      by: whoDeploys(io.env),
      lockTimeoutSeconds: lockTimeout,
      lockWaitTimeoutSeconds: environment.lockWaitTimeout,
      log: (line) => io.out(line),
    });
    reports.push(report);
    io.out(formatRollback(report));
    // Stop at the first database that did not roll back cleanly: the operator looks first.
    if (report.status === 'failed' || report.status === 'refused') return 1;
  }
  return 0;
}
