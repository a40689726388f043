// `sqlgate rollback --to VERSION`: for every version above VERSION, newest first, under the
// deploy lock, put back the rows its DML changed (when `backupDml` backed them up), run its down
// file, and record it in the history as `rolled-back` (who, when, with what) so the next deploy
// applies it again. Nothing runs unless every one of them was applied completely and has a down
// file or a backup of every statement.
import { closeQuietly, connect, quoteIdentifier } from '../db/connect.js';
import type { ConnectionTarget } from '../db/url.js';
import { CONTROL_TIMEOUT_MS, ControlSession } from '../deploy/control.js';
import { acquireLock, lockName, releaseLock } from '../deploy/lock.js';
import { MysqlRevisions } from '../deploy/mysql-revisions.js';
import type { HistoryRow, MigrationFile } from '../deploy/types.js';
import { InputError } from '../errors.js';
import type { Database } from '../policy/types.js';
import { describeError, failureAt } from '../rehearsal/failure.js';
import type { StatementFailure } from '../rehearsal/types.js';
import { failureWords } from '../report/rehearsal.js';
import { compareVersions } from '../sql/migration-name.js';
import { BACKUP_SCHEMA, type DmlBackup, readBackups, restoreBackups } from './backup.js';

export interface RollbackInput {
  readonly database: Database;
  readonly target: ConnectionTarget;
  /** Roll back every version above this one (its history key). */
  readonly toKey: string;
  /** The migrations and their down files (by the migration's path) in the checkout. */
  readonly files: readonly MigrationFile[];
  readonly downs: ReadonlyMap<string, MigrationFile>;
  readonly by: string;
  readonly lockTimeoutSeconds: number;
  readonly lockWaitTimeoutSeconds: number;
  readonly log: (line: string) => void;
}

export interface RollbackReport {
  readonly database: string;
  readonly environment: string;
  readonly status: 'rolled-back' | 'nothing-to-do' | 'failed' | 'refused';
  /** What ran, newest version first: down files, and the rows restored from backups. */
  readonly rolledBack: readonly string[];
  readonly message?: string;
  /** `failed`: the down file's statement that failed, where and why. */
  readonly failure?: StatementFailure & { readonly path: string };
}

const partsOf = (key: string) => key.split('.').map((p) => BigInt(p));

export interface RollbackStep {
  readonly row: HistoryRow;
  /** Undefined: the version is only DML, every statement of it backed up, and restoring is its rollback. */
  readonly down: MigrationFile | undefined;
  /** Rows its statements changed, to put back before its down file runs (`backupDml`). */
  readonly backups: readonly DmlBackup[];
}

/**
 * Which rows to roll back, newest first, or why not: every one needs a full apply, and its down
 * file, or a backup of every one of its statements.
 */
export function planRollback(
  rows: readonly HistoryRow[],
  toKey: string,
  files: readonly MigrationFile[],
  downs: ReadonlyMap<string, MigrationFile>,
  backups: ReadonlyMap<string, readonly DmlBackup[]> = new Map(),
): { ok: true; steps: RollbackStep[] } | { ok: false; reason: string } {
  const above = rows
    .filter((r) => r.status !== 'rolled-back' && compareVersions(partsOf(r.versionKey), partsOf(toKey)) > 0)
    .sort((a, b) => compareVersions(partsOf(b.versionKey), partsOf(a.versionKey)));
  const steps: RollbackStep[] = [];
  for (const row of above) {
    if (row.status !== 'success')
      return {
        ok: false,
        reason: `${row.file} is ${row.status}, not fully applied; its down file assumes it is (deploy or repair it first)`,
      };
    const up = files.find((f) => f.name.path === row.file);
    const down = up ? downs.get(up.name.path) : undefined;
    const saved = (backups.get(row.versionKey) ?? []).filter((b) => !b.restored);
    // Without a key, the old values of updated rows cannot be matched to the rows to put them back in.
    const unkeyed = saved.find((b) => b.kind === 'UPDATE' && !b.keyed);
    if (unkeyed)
      return {
        ok: false,
        reason: `${row.file}: the rows its statement ${unkeyed.statement} updated in ${unkeyed.sourceTable} cannot be put back (backup ${BACKUP_SCHEMA}.${unkeyed.backupTable}): the table has no primary or unique key`,
      };
    const covered = new Set(saved.map((b) => b.statement));
    const everyStatement =
      row.statementsTotal > 0 &&
      Array.from({ length: row.statementsTotal }, (_, i) => i + 1).every((n) => covered.has(n));
    if (!down && !everyStatement)
      return {
        ok: false,
        reason: `${row.file} (version ${row.version}) has no down file ${row.file.replace(/\.sql$/i, '.down.sql')} in the checkout${saved.length > 0 ? `, and only ${saved.length} of its ${row.statementsTotal} statements have a backup` : ''}`,
      };
    steps.push({ row, down, backups: saved });
  }
  return { ok: true, steps };
}

export async function rollbackDatabase(input: RollbackInput): Promise<RollbackReport> {
  const { database, target } = input;
  const base = { database: database.name, environment: database.environment };
  const control = await ControlSession.open(target, CONTROL_TIMEOUT_MS);
  try {
    await control.query(`USE ${quoteIdentifier(database.name)}`).catch(() => {
      throw new InputError(`database ${database.name} does not exist on ${target.masked}`);
    });
    const lock = lockName(database.name);
    await acquireLock(control, lock, input.lockTimeoutSeconds);
    try {
      const history = new MysqlRevisions(control, database.name, { name: lock, holder: control.id });
      const plan = planRollback(
        await history.read(),
        input.toKey,
        input.files,
        input.downs,
        await readBackups(control, database.name),
      );
      if (!plan.ok)
        return {
          ...base,
          status: 'refused',
          rolledBack: [],
          message: `${plan.reason}; nothing was rolled back`,
        };
      if (plan.steps.length === 0) return { ...base, status: 'nothing-to-do', rolledBack: [] };
      const work = await connect(target, { database: database.name });
      const done: string[] = [];
      try {
        await work.query('SET SESSION lock_wait_timeout = ?', [input.lockWaitTimeoutSeconds]);
        for (const { row, down, backups } of plan.steps) {
          const did: string[] = [];
          if (backups.length > 0) {
            const tables = backups.map((b) => `${BACKUP_SCHEMA}.${b.backupTable}`).join(', ');
            input.log(`${database.name}: restoring the rows ${row.file} changed from ${tables}`);
            try {
              const rows = await restoreBackups(work, database.name, backups);
              did.push(`restored ${rows} row${rows === 1 ? '' : 's'} of ${row.file} from ${tables}`);
            } catch (error) {
              return {
                ...base,
                status: 'failed',
                rolledBack: done,
                message: `restoring the rows of ${row.file} from ${tables} failed, nothing of it was restored: ${describeError(error, target)}; ${row.file} is still recorded as applied${done.length > 0 ? ', the versions above it were rolled back' : ''}`,
              };
            }
          }
          for (const [i, statement] of (down?.statements ?? []).entries()) {
            try {
              await work.query(statement.text);
            } catch (error) {
              const failed = down as MigrationFile;
              const failure = failureAt(failed, i, describeError(error, target));
              return {
                ...base,
                status: 'failed',
                rolledBack: done,
                message: `${failed.name.path} ${failureWords(failure)}; ${row.file} is still recorded as applied${done.length > 0 ? `, the versions above it were rolled back` : ''}${did.length > 0 ? ` (its rows were restored first: ${did.join('')})` : ''}`,
                failure: { path: failed.name.path, ...failure },
              };
            }
          }
          if (down) did.push(down.name.path);
          await history.rolledBack(
            row.versionKey,
            `${new Date().toISOString()} ${input.by}: rolled back with ${did.join(', then ')}`,
          );
          done.push(...did);
        }
      } finally {
        await closeQuietly(work);
      }
      return { ...base, status: 'rolled-back', rolledBack: done };
    } finally {
      await releaseLock(control, lock);
    }
  } finally {
    await control.close();
  }
}
