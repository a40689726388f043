// Deploy an environment: its databases (a fleet of tenant shards, say) with bounded
// concurrency, optionally one shard of a GitHub Actions matrix.

import type { DatabaseTargets } from '../db/targets.js';
import type { ConnectionTarget } from '../db/url.js';
import { InputError } from '../errors.js';
import type { OnlineDeploy } from '../online/executor.js';
import { ptOnlineSchemaChange } from '../online/ptosc.js';
import type { OnlineSchemaChanger } from '../online/tool.js';
import type { Database, Environment, Policy, RiskLevel } from '../policy/types.js';
import { dmlBackupsFor } from '../rollback/backup.js';
import type { StatementParser } from '../sql/analyse.js';
import type { StatementFacts } from '../sql/facts.js';
import { type DatabaseDeployInput, type DatabaseReport, deployDatabase } from './apply.js';
import { readMigrationFolder } from './sources.js';
import type { MigrationFile } from './types.js';

export interface EnvironmentDeployInput {
  readonly policy: Policy;
  readonly environment: string;
  readonly root: string;
  readonly migrationsDir: string;
  readonly targets: DatabaseTargets;
  readonly database?: string;
  /** `i/n`: this runner deploys the i-th of n slices of the environment's databases. */
  readonly shard?: string;
  readonly concurrency: number;
  readonly dryRun: boolean;
  readonly lockTimeoutSeconds: number;
  readonly appliedBy: string;
  readonly gitSha: string | null;
  readonly log: (line: string) => void;
  readonly onStatement?: DatabaseDeployInput['onStatement'];
  /** A cancel: running deploys stop their statement and record it; no database is started after it. */
  readonly signal?: AbortSignal;
  /** The PR and risk level each file came with, recorded in the history. */
  readonly prOf?: (path: string) => number | null;
  readonly riskOf?: (path: string, environment: string) => RiskLevel | null;
  /** Why a database must not be deployed at all (the Action's approval re-check): reported refused, never touched. */
  readonly refuse?: (database: Database) => string | undefined;
  /** Reads the facts of ALTERs an onlineSchemaChange may route (default: the shared parser pool, started on first use). */
  readonly parser?: StatementParser;
  /** The online schema change tool (default pt-online-schema-change). */
  readonly onlineTool?: OnlineSchemaChanger;
}

/** The environment's online routing; the SQL parser is loaded only when there is one. */
function onlineDeployOf(environment: Environment, input: EnvironmentDeployInput): OnlineDeploy | undefined {
  const policy = environment.onlineSchemaChange;
  if (!policy) return undefined;
  const known = new Map<string, Promise<StatementFacts>>();
  const factsOf = (text: string): Promise<StatementFacts> => {
    let facts = known.get(text);
    if (!facts) {
      facts = (async () => {
        const { analyseSql } = await import('../sql/analyse.js');
        const parser = input.parser ?? (await import('../parser/pool.js')).sharedParser();
        const [first] = await analyseSql(text, parser);
        if (!first) throw new Error(`no statement in ${text.slice(0, 80)}`);
        return first.facts;
      })();
      known.set(text, facts);
    }
    return facts;
  };
  return { policy, tool: input.onlineTool ?? ptOnlineSchemaChange, factsOf };
}

export function parseShard(shard: string): { index: number; count: number } {
  const match = /^(\d+)\/(\d+)$/.exec(shard);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 1 || index < 1 || index > count) {
    throw new InputError(`--shard must be i/n with 1 ≤ i ≤ n (e.g. 2/4), not "${shard}"`);
  }
  return { index, count };
}

export function selectDatabases(
  policy: Policy,
  environment: string,
  options: { database?: string; shard?: string },
): { environment: Environment; databases: Database[] } {
  const env = policy.environments.find((e) => e.id === environment);
  if (!env)
    throw new InputError(
      `environment "${environment}" does not exist; known environments: ${policy.environments.map((e) => e.id).join(', ')}`,
    );
  let databases = policy.databases.filter((d) => d.environment === environment);
  if (options.database !== undefined) {
    databases = databases.filter((d) => d.name === options.database);
    if (databases.length === 0)
      throw new InputError(`database "${options.database}" is not in environment ${environment}`);
  }
  if (options.shard) {
    const { index, count } = parseShard(options.shard);
    databases = databases.filter((_, i) => i % count === index - 1);
  }
  return { environment: env, databases };
}

export async function deployEnvironment(input: EnvironmentDeployInput): Promise<DatabaseReport[]> {
  const { environment, databases } = selectDatabases(input.policy, input.environment, {
    ...(input.database !== undefined ? { database: input.database } : {}),
    ...(input.shard !== undefined ? { shard: input.shard } : {}),
  });
  // Check every URL and every file before touching any database: bad input changes nothing.
  const targets = databases.map((d) => input.targets.of(d));
  const folders = new Map<string, MigrationFile[]>();
  for (const d of databases)
    if (!folders.has(d.migrations))
      folders.set(d.migrations, readMigrationFolder(input.root, input.migrationsDir, d.migrations));

  const online = onlineDeployOf(environment, input);
  const reports: DatabaseReport[] = new Array(databases.length);
  let next = 0;
  const worker = async () => {
    while (next < databases.length) {
      const i = next++;
      const database = databases[i] as Database;
      if (input.signal?.aborted) {
        reports[i] = {
          database: database.name,
          environment: database.environment,
          status: 'failed',
          applied: [],
          skipped: 0,
          message: `cancelled (${String(input.signal.reason)}) before this database was started; nothing was changed`,
          warnings: [],
        };
        continue;
      }
      const refusal = input.refuse?.(database);
      if (refusal !== undefined) {
        reports[i] = {
          database: database.name,
          environment: database.environment,
          status: 'refused',
          applied: [],
          skipped: 0,
          message: refusal,
          warnings: [],
        };
        continue;
      }
      // backupDml: the rows risky DML touches are copied first (src/rollback/backup.ts).
      const backups = dmlBackupsFor({
        policy: input.policy,
        database,
        target: targets[i] as ConnectionTarget,
        files: folders.get(database.migrations) ?? [],
        lockWaitTimeoutSeconds: environment.lockWaitTimeout,
        ...(input.riskOf ? { riskOf: input.riskOf } : {}),
      });
      try {
        reports[i] = await deployDatabase({
          ...(backups ? { executors: [backups] } : {}),
          database,
          target: targets[i] as ConnectionTarget,
          files: folders.get(database.migrations) ?? [],
          lockWaitTimeoutSeconds: environment.lockWaitTimeout,
          lockTimeoutSeconds: input.lockTimeoutSeconds,
          appliedBy: input.appliedBy,
          gitSha: input.gitSha,
          dryRun: input.dryRun,
          log: input.log,
          ...(input.onStatement ? { onStatement: input.onStatement } : {}),
          ...(input.signal ? { signal: input.signal } : {}),
          ...(online ? { online } : {}),
          ...(input.prOf ? { prOf: (f: MigrationFile) => input.prOf?.(f.name.path) ?? null } : {}),
          ...(input.riskOf
            ? { riskOf: (f: MigrationFile) => input.riskOf?.(f.name.path, database.environment) ?? null }
            : {}),
        });
      } catch (error) {
        reports[i] = {
          database: database.name,
          environment: database.environment,
          status: error instanceof InputError ? 'error' : 'failed',
          applied: [],
          skipped: 0,
          message: (error as Error).message,
          warnings: [],
        };
      } finally {
        await backups?.close();
      }
    }
  };
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(input.concurrency, databases.length)) }, worker),
  );
  return reports;
}
