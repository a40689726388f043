// `sqlgate rollback --to VERSION`: run the down files of every version above VERSION, newest
// first, under the deploy lock, and record each in the history as `rolled-back` (who, when,
// with which file) so the next deploy applies it again. Nothing runs unless every one of them
// has a down file and was applied completely.
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
  /** Down files that ran, newest version first. */
  readonly rolledBack: readonly string[];
  readonly message?: string;
  /** `failed`: the down file's statement that failed, where and why. */
  readonly failure?: StatementFailure & { readonly path: string };
}

const partsOf = (key: string) => key.split('.').map((p) => BigInt(p));

/** Which rows to roll back, newest first, or why not: every one needs its down file and a full apply. */
export function planRollback(
  rows: readonly HistoryRow[],
  toKey: string,
  files: readonly MigrationFile[],
  downs: ReadonlyMap<string, MigrationFile>,
): { ok: true; steps: { row: HistoryRow; down: MigrationFile }[] } | { ok: false; reason: string } {
  const above = rows
    .filter((r) => r.status !== 'rolled-back' && compareVersions(partsOf(r.versionKey), partsOf(toKey)) > 0)
    .sort((a, b) => compareVersions(partsOf(b.versionKey), partsOf(a.versionKey)));
  const steps: { row: HistoryRow; down: MigrationFile }[] = [];
  for (const row of above) {
    if (row.status !== 'success')
      return {
        ok: false,
        reason: `${row.file} is ${row.status}, not fully applied; its down file assumes it is (deploy or repair it first)`,
      };
    const up = files.find((f) => f.name.path === row.file);
    const down = up ? downs.get(up.name.path) : undefined;
    if (!down)
      return {
        ok: false,
        reason: `${row.file} (version ${row.version}) has no down file ${row.file.replace(/\.sql$/i, '.down.sql')} in the checkout`,
      };
    steps.push({ row, down });
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
      const plan = planRollback(await history.read(), input.toKey, input.files, input.downs);
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
        for (const { row, down } of plan.steps) {
          input.log(`${database.name}: ${down.name.path}`);
          for (const [i, statement] of down.statements.entries()) {
            try {
              await work.query(statement.text);
            } catch (error) {
              const failure = failureAt(down, i, describeError(error, target));
              return {
                ...base,
                status: 'failed',
                rolledBack: done,
                message: `${down.name.path} ${failureWords(failure)}; ${row.file} is still recorded as applied${done.length > 0 ? `, the versions above it were rolled back` : ''}`,
                failure: { path: down.name.path, ...failure },
              };
            }
          }
          await history.rolledBack(
            row.versionKey,
            `${new Date().toISOString()} ${input.by}: rolled back with ${down.name.path}`,
          );
          done.push(down.name.path);
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
