// Rollback by tag: check `rollback/<env>/<version>` (rollout/rollback-gate.ts), then roll back
// each database of the environment with the engine `sqlgate rollback` uses, stopping at the
// first one that does not roll back cleanly.
import { readMigrationFolder } from '../deploy/sources.js';
import { readDatabaseStatus } from '../deploy/status.js';
import type { Database } from '../policy/types.js';
import { readDownFiles } from '../rollback/down-files.js';
import { type RollbackReport, rollbackDatabase } from '../rollback/rollback.js';
import type { RolloutContext, RolloutReport } from './context.js';
import { checkRollbackTag, type RollbackGateInput } from './rollback-gate.js';

export async function rollbackOnTag(
  ctx: RolloutContext,
  tagged: Omit<RollbackGateInput, 'historyOf' | 'filesOf'>,
): Promise<RolloutReport> {
  const folders = new Map<string, ReturnType<RollbackGateInput['filesOf']>>();
  const filesOf = (database: Database) => {
    let read = folders.get(database.migrations);
    if (!read) {
      read = {
        files: readMigrationFolder(ctx.workspace, ctx.migrationsDir, database.migrations),
        downs: readDownFiles(ctx.workspace, ctx.migrationsDir, database.migrations),
      };
      folders.set(database.migrations, read);
    }
    return read;
  };
  const result = await checkRollbackTag({
    ...tagged,
    historyOf: async (database) => (await readDatabaseStatus(database, ctx.targets.of(database))).rows,
    filesOf,
  });
  if (!result.ok)
    return {
      reports: [],
      rollbacks: [],
      checks: result.checks,
      refused: { condition: result.condition, reason: result.reason },
    };
  const rollbacks: RollbackReport[] = [];
  if (ctx.dryRun)
    return { reports: [], rollbacks, checks: [...result.checks, 'dry run: nothing was rolled back'] };
  const { environment } = result;
  for (const database of tagged.policy.databases.filter((d) => d.environment === environment.id)) {
    const { files, downs } = filesOf(database);
    const report = await rollbackDatabase({
      database,
      target: ctx.targets.of(database),
      toKey: result.toKey,
      files,
      downs: new Map([...downs].filter(([, down]) => result.verified.has(down.name.path))),
      by: tagged.sender,
      lockTimeoutSeconds: ctx.lockTimeoutSeconds,
      lockWaitTimeoutSeconds: environment.lockWaitTimeout,
      log: ctx.log,
    });
    rollbacks.push(report);
    // The operator looks at the first database that did not roll back before any other is touched.
    if (report.status === 'failed' || report.status === 'refused') break;
  }
  return { reports: [], rollbacks, checks: result.checks };
}
