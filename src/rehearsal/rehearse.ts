// Rehearse a PR's migrations on a throwaway schema per database: the base branch's migrations
// once, in one batch per file (base.ts), then each PR migration with the deploy engine itself
// (history table, lock, one statement per round trip); a migration with a down file goes
// up → down → up, and the schema after down must equal the schema before up.
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { closeQuietly, connect, quoteIdentifier } from '../db/connect.js';
import type { ConnectionTarget } from '../db/url.js';
import { type DatabaseReport, deployDatabase } from '../deploy/apply.js';
import { readDatabaseStatus } from '../deploy/status.js';
import { type MigrationFile, versionKey } from '../deploy/types.js';
import type { Database } from '../policy/types.js';
import { rollbackDatabase } from '../rollback/rollback.js';
import { compareVersions } from '../sql/migration-name.js';
import { buildBaseInBatches } from './base.js';
import { failureAt } from './failure.js';
import { compareSnapshots, readSchemaSnapshot, type SchemaSnapshot } from './schema-snapshot.js';
import {
  type RehearsalReport,
  type RehearsalSubject,
  type RehearsedDatabase,
  type RehearsedFile,
  type RoundTrip,
  rehearsalState,
  type StatementFailure,
  type StatementTiming,
} from './types.js';

export interface RehearsalInput {
  readonly target: ConnectionTarget;
  readonly subjects: readonly RehearsalSubject[];
  readonly appliedBy: string;
  /** Coarse progress (one line per database and per PR file). */
  readonly progress?: (line: string) => void;
  /** Keep the scratch schemas (to inspect them) instead of dropping them at the end. */
  readonly keep?: boolean;
}

export async function rehearse(input: RehearsalInput): Promise<RehearsalReport> {
  const started = performance.now();
  const databases: RehearsedDatabase[] = [];
  for (const subject of input.subjects) databases.push(await rehearseDatabase(input, subject));
  return {
    state: rehearsalState(databases),
    server: input.target.masked,
    databases,
    ms: Math.round(performance.now() - started),
  };
}

/** A schema name of our own on a server others may share: 64 characters at most. */
function scratchSchema(database: string): string {
  return `sqlgate_rh_${randomBytes(4).toString('hex')}_${database}`.slice(0, 64);
}

class Stopwatch {
  private mark = performance.now();
  reset(): void {
    this.mark = performance.now();
  }
  lap(): number {
    const now = performance.now();
    const ms = now - this.mark;
    this.mark = now;
    return Math.round(ms * 10) / 10;
  }
}

async function rehearseDatabase(
  input: RehearsalInput,
  subject: RehearsalSubject,
): Promise<RehearsedDatabase> {
  const { target } = input;
  const schema = scratchSchema(subject.database);
  const database: Database = {
    name: schema,
    environment: 'rehearsal',
    urlEnv: 'rehearsal',
    migrations: subject.folder,
    create: true,
  };
  const notRun = (files: readonly MigrationFile[]): RehearsedFile[] =>
    files.map((f) => ({ path: f.name.path, outcome: 'not-run', statements: [] }));
  const watch = new Stopwatch();
  let timings: StatementTiming[] = [];
  let current: MigrationFile | undefined;
  const deploy = (files: readonly MigrationFile[]): Promise<DatabaseReport> =>
    deployDatabase({
      database,
      target,
      files,
      lockWaitTimeoutSeconds: 60,
      lockTimeoutSeconds: 10,
      appliedBy: input.appliedBy,
      gitSha: null,
      dryRun: false,
      // The engine logs a file just before its first statement: the clock starts there, and
      // each statement's time runs until the engine reports it applied.
      log: () => watch.reset(),
      onStatement: (p) => {
        if (current && p.file === current.name.path)
          timings.push({
            statement: p.statement,
            line: current.statements[p.statement - 1]?.line ?? 0,
            ms: watch.lap(),
          });
      },
    });
  /** The failing statement as the history recorded it (the engine's truth), else the deploy's message. */
  const recordedFailure = async (
    files: readonly MigrationFile[],
    report: DatabaseReport,
  ): Promise<StatementFailure & { readonly path: string }> => {
    const rows = (await readDatabaseStatus(database, target)).rows ?? [];
    const row = rows.find((r) => r.status === 'failed' || r.status === 'in-doubt');
    const file = row && files.find((f) => versionKey(f.name.parts) === row.versionKey);
    if (row && file)
      return {
        path: file.name.path,
        ...failureAt(
          file,
          row.failedStatement ?? row.statementsApplied,
          row.error ?? report.message ?? report.status,
        ),
      };
    const last = files[files.length - 1];
    return { path: last?.name.path ?? '', statement: 0, line: 0, error: report.message ?? report.status };
  };
  const done = (d: Omit<RehearsedDatabase, 'folder' | 'database' | 'schema'>): RehearsedDatabase => ({
    folder: subject.folder,
    database: subject.database,
    schema,
    ...d,
  });

  input.progress?.(`${subject.database}: building the base (${subject.base.length} migrations) in ${schema}`);
  try {
    const baseStarted = performance.now();
    const built =
      subject.base.length > 0 &&
      (await buildBaseInBatches({ target, schema, files: subject.base, appliedBy: input.appliedBy }));
    // A base that does not build in batches is rebuilt statement by statement, to say where it fails.
    if (!built && subject.base.length > 0) await dropSchema(target, schema);
    const base = built ? undefined : await deploy(subject.base);
    const baseMs = Math.round(performance.now() - baseStarted);
    if (base && (base.status === 'failed' || base.status === 'in-doubt'))
      return done({
        base: { files: subject.base.length, ms: baseMs, failure: await recordedFailure(subject.base, base) },
        files: notRun(subject.pr),
      });
    if (base && base.status !== 'applied' && base.status !== 'up-to-date')
      return done({
        base: { files: subject.base.length, ms: baseMs },
        files: notRun(subject.pr),
        error: base.message ?? base.status,
      });

    const files: RehearsedFile[] = [];
    const applied: MigrationFile[] = [...subject.base];
    for (const [i, file] of subject.pr.entries()) {
      input.progress?.(`${subject.database}: ${file.name.path}`);
      const down = subject.downs.get(file.name.path);
      const before = down ? await snapshot(target, schema) : undefined;
      applied.push(file);
      current = file;
      timings = [];
      const up = await deploy(applied);
      current = undefined;
      if (up.status !== 'applied') {
        const { path: _, ...failure } = await recordedFailure([file], up);
        files.push({ path: file.name.path, outcome: 'failed', statements: timings, failure });
        files.push(...notRun(subject.pr.slice(i + 1)));
        break;
      }
      const roundTrip =
        down && before
          ? await upDownUp(
              target,
              database,
              file,
              applied,
              down,
              before,
              () => deploy(applied),
              recordedFailure,
            )
          : undefined;
      files.push({
        path: file.name.path,
        outcome: 'applied',
        statements: timings,
        ...(roundTrip ? { roundTrip } : {}),
      });
      // After a down file that failed half-way the schema is not what later migrations expect.
      if (roundTrip && (roundTrip.state === 'down-failed' || roundTrip.state === 'reapply-failed')) {
        files.push(...notRun(subject.pr.slice(i + 1)));
        break;
      }
    }
    return done({ base: { files: subject.base.length, ms: baseMs }, files });
  } catch (error) {
    return done({
      base: { files: subject.base.length, ms: 0 },
      files: notRun(subject.pr),
      error: (error as Error).message,
    });
  } finally {
    if (!input.keep) await dropSchema(target, schema);
  }
}

async function snapshot(target: ConnectionTarget, schema: string): Promise<SchemaSnapshot> {
  const c = await connect(target);
  try {
    return await readSchemaSnapshot(c, schema);
  } finally {
    await closeQuietly(c);
  }
}

/**
 * The migration was just applied: roll it back with the engine `sqlgate rollback` uses (lock,
 * history row marked rolled-back), compare the schema, and apply it again.
 */
async function upDownUp(
  target: ConnectionTarget,
  database: Database,
  file: MigrationFile,
  applied: readonly MigrationFile[],
  down: MigrationFile,
  before: SchemaSnapshot,
  reapply: () => Promise<DatabaseReport>,
  recordedFailure: (files: readonly MigrationFile[], report: DatabaseReport) => Promise<StatementFailure>,
): Promise<RoundTrip> {
  const below = applied
    .map((f) => f.name.parts)
    .filter((parts) => compareVersions(parts, file.name.parts) < 0)
    .sort(compareVersions)
    .at(-1);
  const rollback = await rollbackDatabase({
    database,
    target,
    toKey: below ? versionKey(below) : '0',
    files: applied,
    downs: new Map([[file.name.path, down]]),
    by: 'rehearsal',
    lockTimeoutSeconds: 10,
    lockWaitTimeoutSeconds: 60,
    log: () => {},
  });
  if (rollback.status !== 'rolled-back')
    return {
      down: down.name.path,
      state: 'down-failed',
      mismatches: [],
      failure: rollback.failure ?? { statement: 0, line: 0, error: rollback.message ?? rollback.status },
    };
  const mismatches = compareSnapshots(before, await snapshot(target, database.name));
  const again = await reapply();
  if (again.status !== 'applied')
    return {
      down: down.name.path,
      state: 'reapply-failed',
      mismatches,
      failure: await recordedFailure([file], again),
    };
  return { down: down.name.path, state: mismatches.length > 0 ? 'mismatched' : 'matched', mismatches };
}

async function dropSchema(target: ConnectionTarget, schema: string): Promise<void> {
  const c = await connect(target).catch(() => undefined);
  if (!c) return;
  try {
    await c.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(schema)}`);
  } catch {
    // A scratch schema left behind is harmless; its name says what it is.
  } finally {
    await closeQuietly(c);
  }
}
