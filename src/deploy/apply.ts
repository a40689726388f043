// Deploy one database: take the lock, read the history, decide, then run each pending statement
// in its own round trip, recording it before and after so a crash leaves a true record.
import type { Connection } from 'mysql2/promise';
import { closeQuietly, connect, quoteIdentifier, redact, useDatabase } from '../db/connect.js';
import type { ConnectionTarget } from '../db/url.js';
import { InputError, RefusedError } from '../errors.js';
import type { Database } from '../policy/types.js';
import { cumulativeHash } from './checksum.js';
import { decideDeploy, type FileAction } from './decide.js';
import { acquireLock, lockName, releaseLock } from './lock.js';
import { HISTORY_TABLE, MysqlRevisions } from './mysql-revisions.js';
import type { RevisionReadWriter } from './revisions.js';
import { type MigrationFile, versionKey } from './types.js';

export interface DatabaseDeployInput {
  readonly database: Database;
  readonly target: ConnectionTarget;
  readonly files: readonly MigrationFile[];
  readonly lockWaitTimeoutSeconds: number;
  readonly lockTimeoutSeconds: number;
  readonly appliedBy: string;
  readonly gitSha: string | null;
  readonly prOf?: (file: MigrationFile) => number | null;
  readonly riskOf?: (file: MigrationFile) => string | null;
  readonly dryRun: boolean;
  readonly log: (line: string) => void;
  /** Called after each statement is applied and recorded (progress output on long deploys). */
  readonly onStatement?: (progress: StatementProgress) => void | Promise<void>;
}

export interface StatementProgress {
  readonly database: string;
  readonly file: string;
  readonly statement: number;
  readonly total: number;
}

/** `error`: bad input (an unreachable server, a missing database) — nothing was changed. */
export type DeployStatus = 'applied' | 'up-to-date' | 'failed' | 'in-doubt' | 'refused' | 'error' | 'dry-run';

export interface DatabaseReport {
  readonly database: string;
  readonly environment: string;
  readonly status: DeployStatus;
  readonly applied: readonly { readonly file: string; readonly statements: number }[];
  readonly skipped: number;
  readonly message?: string;
  readonly warnings: readonly string[];
}

/** 0 all done, 2 bad input somewhere (nothing changed there), 1 a deploy failed or was refused. */
export function exitCodeOfReports(reports: readonly DatabaseReport[]): number {
  if (reports.some((r) => r.status === 'failed' || r.status === 'in-doubt' || r.status === 'refused'))
    return 1;
  if (reports.some((r) => r.status === 'error')) return 2;
  return 0;
}

const LOST = new Set([
  'PROTOCOL_CONNECTION_LOST',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ECONNREFUSED',
  'ER_SERVER_SHUTDOWN',
  'ER_CONNECTION_KILLED',
]);

/** True when the server may or may not have run the statement: the reply never came. */
function outcomeUnknown(error: unknown): boolean {
  const e = error as { fatal?: boolean; code?: string };
  return Boolean(e.fatal) || (e.code !== undefined && LOST.has(e.code));
}

function describeError(error: unknown, target: ConnectionTarget): string {
  const e = error as { code?: string; errno?: number; sqlMessage?: string; message?: string };
  const text = e.sqlMessage ?? e.message ?? String(error);
  return redact(e.code ? `${e.code}${e.errno ? ` (${e.errno})` : ''}: ${text}` : text, target);
}

export async function deployDatabase(input: DatabaseDeployInput): Promise<DatabaseReport> {
  const { database, target, log } = input;
  const base = { database: database.name, environment: database.environment };
  const control = await connect(target);
  try {
    const exists = await databaseExists(control, database.name);
    if (!exists && !database.create) {
      throw new InputError(
        `database ${database.name} does not exist on ${target.masked}; create it, or set create: true in environments.yaml`,
      );
    }
    if (input.dryRun) return await dryRun(input, control, exists);
    if (!exists) {
      log(`${database.name}: CREATE DATABASE IF NOT EXISTS ${quoteIdentifier(database.name)}`);
      await control.query(`CREATE DATABASE IF NOT EXISTS ${quoteIdentifier(database.name)}`);
    }
    await useDatabase(control, database.name);
    const lock = lockName(target.host, target.port, database.name);
    await acquireLock(control, lock, input.lockTimeoutSeconds);
    try {
      const history = new MysqlRevisions(control, database.name, lock);
      await history.ensure();
      const decision = decideDeploy(input.files, await history.read());
      if (!decision.ok) {
        if (decision.markInDoubt) await history.markInDoubt(decision.markInDoubt.versionKey);
        return {
          ...base,
          status: decision.markInDoubt ? 'in-doubt' : 'refused',
          applied: [],
          skipped: 0,
          message: decision.reason,
          warnings: [],
        };
      }
      const pending = decision.actions.filter(
        (a): a is Extract<FileAction, { kind: 'apply' }> => a.kind === 'apply',
      );
      const skipped = decision.actions.length - pending.length;
      if (pending.length === 0)
        return { ...base, status: 'up-to-date', applied: [], skipped, warnings: decision.warnings };
      const work = await connect(target, { database: database.name });
      try {
        // A DDL stuck behind a long transaction must fail, not queue every query behind its metadata lock.
        await work.query('SET SESSION lock_wait_timeout = ?', [input.lockWaitTimeoutSeconds]);
        return await runActions(input, history, work, pending, skipped, decision.warnings);
      } catch (error) {
        if (error instanceof RefusedError || !outcomeUnknown(error)) throw error;
        // The bookkeeping connection died between statements: the history says where it stopped
        // (a statement marked in flight is decided on the next deploy).
        return {
          ...base,
          status: 'failed',
          applied: [],
          skipped,
          message: `lost the connection to ${target.masked} between statements (${describeError(error, target)}); the history records where it stopped and the next deploy resumes there`,
          warnings: decision.warnings,
        };
      } finally {
        await closeQuietly(work);
      }
    } finally {
      await releaseLock(control, lock);
    }
  } finally {
    await closeQuietly(control);
  }
}

async function databaseExists(c: Connection, name: string): Promise<boolean> {
  const [rows] = await c.query('SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [name]);
  return (rows as unknown[]).length > 0;
}

async function runActions(
  input: DatabaseDeployInput,
  history: RevisionReadWriter,
  work: Connection,
  pending: readonly Extract<FileAction, { kind: 'apply' }>[],
  skipped: number,
  warnings: readonly string[],
): Promise<DatabaseReport> {
  const { database, log, target } = input;
  const base = { database: database.name, environment: database.environment };
  const applied: { file: string; statements: number }[] = [];
  for (const action of pending) {
    const { file } = action;
    const key = versionKey(file.name.parts);
    await history.start(
      {
        version: file.name.version,
        versionKey: key,
        description: file.name.description,
        file: file.name.path,
        checksum: file.checksum,
        statementsTotal: file.statements.length,
        appliedBy: input.appliedBy,
        gitSha: input.gitSha,
        pr: input.prOf?.(file) ?? null,
        risk: input.riskOf?.(file) ?? null,
      },
      action.resume,
      action.from,
    );
    const hashes = file.statements.slice(0, action.from).map((s) => s.hash);
    log(
      `${database.name}: ${file.name.path}${action.resume ? ` (resuming at statement ${action.from + 1})` : ''}`,
    );
    let ran = 0;
    for (let i = action.from; i < file.statements.length; i++) {
      const statement = file.statements[i] as MigrationFile['statements'][number];
      // The first statement was marked in flight with the row itself; each write checks the lock.
      if (i > action.from) await history.inflight(key, i);
      try {
        await work.query(statement.text);
      } catch (error) {
        const message = describeError(error, target);
        const where = `statement ${i + 1} of ${file.name.path} (line ${statement.line})`;
        if (outcomeUnknown(error)) {
          await history
            .finish(key, { status: 'in-doubt', error: message, failedStatement: i })
            .catch(() => {});
          return {
            ...base,
            status: 'in-doubt',
            applied,
            skipped,
            message: `the connection was lost while ${where} was running; its outcome is unknown. Check the database, then run sqlgate repair --version ${file.name.version} --mark applied|not-applied (${message})`,
            warnings,
          };
        }
        await history.finish(key, {
          status: 'failed',
          error: message,
          failedStatement: i,
          failedSql: statement.text,
        });
        if (ran > 0 || action.from > 0) applied.push({ file: file.name.path, statements: ran });
        return {
          ...base,
          status: 'failed',
          applied,
          skipped,
          message: `${where} failed: ${message}; later migrations were not run`,
          warnings,
        };
      }
      hashes.push(statement.hash);
      ran++;
      await history.applied(key, i + 1, hashes, cumulativeHash(hashes), i + 1 === file.statements.length);
      await input.onStatement?.({
        database: database.name,
        file: file.name.path,
        statement: i + 1,
        total: file.statements.length,
      });
    }
    if (file.statements.length === action.from) await history.finish(key, { status: 'success' });
    applied.push({ file: file.name.path, statements: ran });
  }
  return { ...base, status: 'applied', applied, skipped, warnings };
}

async function dryRun(
  input: DatabaseDeployInput,
  control: Connection,
  exists: boolean,
): Promise<DatabaseReport> {
  const { database, log } = input;
  const base = { database: database.name, environment: database.environment };
  const history = exists ? await new MysqlRevisions(control, database.name).read() : [];
  if (!exists)
    log(`${database.name}: would run CREATE DATABASE IF NOT EXISTS ${quoteIdentifier(database.name)}`);
  if (exists && history.length === 0) log(`${database.name}: would create table ${HISTORY_TABLE}`);
  const decision = decideDeploy(input.files, history);
  if (!decision.ok)
    return { ...base, status: 'refused', applied: [], skipped: 0, message: decision.reason, warnings: [] };
  const applied: { file: string; statements: number }[] = [];
  for (const action of decision.actions) {
    if (action.kind === 'skip') continue;
    const { file } = action;
    log(
      `${database.name}: ${file.name.path}: would ${action.resume ? 'update' : 'insert'} a ${HISTORY_TABLE} row (version ${file.name.version}, ${file.checksum})`,
    );
    for (let i = action.from; i < file.statements.length; i++) {
      const s = file.statements[i] as MigrationFile['statements'][number];
      log(
        `  [${i + 1}/${file.statements.length}] line ${s.line}: ${s.text.replace(/\s+/g, ' ').slice(0, 200)}`,
      );
    }
    log(`  then mark version ${file.name.version} success`);
    applied.push({ file: file.name.path, statements: file.statements.length - action.from });
  }
  return {
    ...base,
    status: 'dry-run',
    applied,
    skipped: decision.actions.length - applied.length,
    warnings: decision.warnings,
  };
}

/** Read-only: what a deploy of this database would do now (no lock, no writes). */
export async function inspectDatabase(
  database: Database,
  target: ConnectionTarget,
  files: readonly MigrationFile[],
): Promise<ReturnType<typeof decideDeploy>> {
  const c = await connect(target);
  try {
    const history = (await databaseExists(c, database.name))
      ? await new MysqlRevisions(c, database.name).read()
      : [];
    return decideDeploy(files, history);
  } finally {
    await closeQuietly(c);
  }
}
