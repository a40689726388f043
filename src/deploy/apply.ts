// Deploy one database: take the lock, read the history, decide, check every pending file can be
// applied exactly once, then run them (apply-files.ts) and report what happened.
import { quoteIdentifier } from '../db/connect.js';
import type { ConnectionTarget } from '../db/url.js';
import { InputError } from '../errors.js';
import { describeExecution, type Execution } from '../online/decide.js';
import { decideLive, type OnlineDeploy, OnlineExecutor, type OnlineTarget } from '../online/executor.js';
import { resolveInterruptedOnline } from '../online/resume.js';
import type { Database, RiskLevel } from '../policy/types.js';
import { type ApplyAction, applyFiles, describeError } from './apply-files.js';
import { CONTROL_TIMEOUT_MS, ControlSession } from './control.js';
import { decideDeploy } from './decide.js';
import { SessionExecutor, type StatementExecutor, WorkSession } from './execute.js';
import { acquireLock, lockName, releaseLock } from './lock.js';
import { HISTORY_TABLE, MysqlRevisions } from './mysql-revisions.js';
import type { RevisionReadWriter } from './revisions.js';
import type { MigrationFile } from './types.js';
import { unitsOf } from './units.js';

export interface DatabaseDeployInput {
  readonly database: Database;
  readonly target: ConnectionTarget;
  readonly files: readonly MigrationFile[];
  readonly lockWaitTimeoutSeconds: number;
  readonly lockTimeoutSeconds: number;
  readonly appliedBy: string;
  readonly gitSha: string | null;
  readonly prOf?: (file: MigrationFile) => number | null;
  readonly riskOf?: (file: MigrationFile) => RiskLevel | null;
  readonly dryRun: boolean;
  readonly log: (line: string) => void;
  /** Called after each statement is applied (progress output on long deploys). */
  readonly onStatement?: (progress: StatementProgress) => void | Promise<void>;
  /** A cancel (SIGTERM from CI, say): stop starting statements, stop the running one, record, release. */
  readonly signal?: AbortSignal;
  /** Executors tried before the default one (an online schema change tool for ALTER, say). */
  readonly executors?: readonly StatementExecutor[];
  /** How long the lock, the history writes and connecting may take before the server counts as frozen. */
  readonly controlTimeoutMs?: number;
  /** How often a statement that timed out waiting for a metadata or row lock is tried again. */
  readonly lockWaitRetries?: number;
  /** The environment's onlineSchemaChange: ALTERs it routes run through the tool. */
  readonly online?: OnlineDeploy;
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

export async function deployDatabase(input: DatabaseDeployInput): Promise<DatabaseReport> {
  const { database, target, log } = input;
  const base = { database: database.name, environment: database.environment };
  const timeoutMs = input.controlTimeoutMs ?? CONTROL_TIMEOUT_MS;
  const control = await ControlSession.open(target, timeoutMs);
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
    await control.keepAlive();
    const lock = lockName(database.name);
    await acquireLock(control, lock, input.lockTimeoutSeconds);
    try {
      const history = new MysqlRevisions(control, database.name, { name: lock, holder: control.id });
      await history.ensure();
      const where: OnlineTarget = {
        environment: database.environment,
        database: database.name,
        target,
        reader: control,
        lockWaitTimeoutSeconds: input.lockWaitTimeoutSeconds,
        log,
      };
      if (input.online) await resumeInterruptedOnline(history, input.files, where, input.appliedBy);
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
      const pending: ApplyAction[] = [];
      const warnings = [...decision.warnings];
      for (const action of decision.actions) {
        if (action.kind !== 'apply') continue;
        const planned = unitsOf(action.file.statements, action.from);
        // Checked for every file before the first statement runs: a refusal changes nothing.
        if ('error' in planned)
          return {
            ...base,
            status: 'refused',
            applied: [],
            skipped: 0,
            message: `${action.file.name.path}: ${planned.error}`,
            warnings: [],
          };
        if (action.file.statements.length === 0)
          warnings.push(
            `${action.file.name.path} has no statements (it is empty or only comments); it is recorded as applied with 0 statements`,
          );
        pending.push({ ...action, units: planned.units });
      }
      const skipped = decision.actions.length - pending.length;
      if (pending.length === 0) return { ...base, status: 'up-to-date', applied: [], skipped, warnings };
      // What the tool cannot do is refused before any statement runs.
      const atStart = new Map<string, Execution>();
      if (input.online) {
        const refusal = await decideOnlineAtStart(input.online, where, pending, atStart);
        if (refusal)
          return { ...base, status: 'refused', applied: [], skipped: 0, message: refusal, warnings };
      }
      const work = await WorkSession.open(target, database.name, input.lockWaitTimeoutSeconds, timeoutMs);
      try {
        const result = await applyFiles(
          {
            database: database.name,
            target,
            history: new MysqlRevisions(control, database.name, { name: lock, holder: control.id }, work),
            control,
            work,
            executors: [
              ...(input.executors ?? []),
              ...(input.online ? [new OnlineExecutor(input.online, where, atStart)] : []),
              new SessionExecutor(work, control),
            ],
            signal: input.signal ?? new AbortController().signal,
            appliedBy: input.appliedBy,
            gitSha: input.gitSha,
            ...(input.prOf ? { prOf: input.prOf } : {}),
            ...(input.riskOf ? { riskOf: input.riskOf } : {}),
            lockWaitRetries: input.lockWaitRetries ?? 3,
            log,
            ...(input.onStatement ? { onStatement: input.onStatement } : {}),
          },
          pending,
        );
        return { ...base, ...result, skipped, warnings };
      } finally {
        await work.close();
      }
    } finally {
      await releaseLock(control, lock);
    }
  } catch (error) {
    if (error instanceof InputError) throw error;
    const e = error as { fatal?: boolean; code?: string };
    if (e.fatal || e.code === 'SQLGATE_TIMEOUT') {
      return {
        ...base,
        status: 'failed',
        applied: [],
        skipped: 0,
        message: `lost the connection to ${target.masked} (${describeError(error, target)}); nothing more was run`,
        warnings: [],
      };
    }
    throw error;
  } finally {
    await control.close();
  }
}

async function databaseExists(c: ControlSession, name: string): Promise<boolean> {
  const [rows] = await c.query<unknown[]>('SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [
    name,
  ]);
  return rows.length > 0;
}

async function dryRun(
  input: DatabaseDeployInput,
  control: ControlSession,
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
      // How an ALTER would run, decided from the table as it is now (read-only).
      const execution =
        input.online && exists
          ? await decideLive(
              input.online,
              {
                environment: database.environment,
                database: database.name,
                target: input.target,
                reader: control,
                lockWaitTimeoutSeconds: input.lockWaitTimeoutSeconds,
                log,
              },
              { file: file.name.path, text: s.text },
            )
          : undefined;
      if (execution && execution.method !== 'inline') log(`      ${describeExecution(execution)}`);
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
  const c = await ControlSession.open(target, CONTROL_TIMEOUT_MS);
  try {
    const history = (await databaseExists(c, database.name))
      ? await new MysqlRevisions(c, database.name).read()
      : [];
    return decideDeploy(files, history);
  } finally {
    await c.close();
  }
}

/**
 * A deploy that died while its online change ran left the history showing the ALTER in flight via
 * the tool; what the tool left on the server decides it (src/online/resume.ts), so the next deploy
 * resumes without a repair when it can, and never runs half a change twice.
 */
async function resumeInterruptedOnline(
  history: RevisionReadWriter,
  files: readonly MigrationFile[],
  where: OnlineTarget,
  appliedBy: string,
): Promise<void> {
  for (const row of await history.read()) {
    if (row.inflightStatement === null || row.inflightVia === null) continue;
    if (row.status !== 'running' && row.status !== 'in-doubt') continue;
    const file = files.find((f) => f.name.path === row.file);
    const statement = file?.statements[row.inflightStatement];
    if (!file || !statement || row.statementHashes[row.inflightStatement] !== statement.hash) continue;
    const outcome = await resolveInterruptedOnline(where.reader, where.database, statement.text, where.log);
    const what = `statement ${row.inflightStatement + 1} of ${row.file}, run by ${row.inflightVia} when the deploy stopped`;
    if (outcome.mark === 'unknown') {
      where.log(`${where.database}: ${what}: ${outcome.because}`);
      continue;
    }
    where.log(`${where.database}: ${what}: ${outcome.because}; recorded as ${outcome.mark}`);
    await history.repair(
      row,
      outcome.mark,
      `${appliedBy} (sqlgate deploy: ${outcome.because})`,
      statement.hash,
    );
  }
}

/** Each pending ALTER decided from the live table; the first refusal, if any, as `file:line: why`. */
async function decideOnlineAtStart(
  online: OnlineDeploy,
  where: OnlineTarget,
  pending: readonly ApplyAction[],
  decided: Map<string, Execution>,
): Promise<string | undefined> {
  let anyOnline = false;
  for (const action of pending) {
    const { file } = action;
    for (let i = action.from; i < file.statements.length; i++) {
      const s = file.statements[i] as MigrationFile['statements'][number];
      const execution = await decideLive(online, where, { file: file.name.path, text: s.text });
      if (!execution || execution.method === 'inline') {
        if (execution) decided.set(OnlineExecutor.key({ file: file.name.path, index: i }), execution);
        continue;
      }
      if (execution.method === 'refused')
        return `${file.name.path}:${s.line}: ${execution.message}; nothing was run`;
      anyOnline = true;
      decided.set(OnlineExecutor.key({ file: file.name.path, index: i }), execution);
      where.log(`${where.database}: ${file.name.path}:${s.line}: ${describeExecution(execution)}`);
    }
  }
  if (anyOnline) online.tool.ensureInstalled();
  return undefined;
}
