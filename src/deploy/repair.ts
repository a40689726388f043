// `sqlgate repair`: the operator says what happened to an in-doubt statement, under the deploy
// lock so no deploy runs meanwhile. Only in-doubt rows can be repaired.
import type { ConnectionTarget } from '../db/url.js';
import { InputError, RefusedError } from '../errors.js';
import { readInterruptedOnline, resolveInterruptedOnline } from '../online/resume.js';
import type { Database } from '../policy/types.js';
import { CONTROL_TIMEOUT_MS, ControlSession } from './control.js';
import { acquireLock, lockName, releaseLock } from './lock.js';
import { MysqlRevisions } from './mysql-revisions.js';
import type { RevisionReadWriter } from './revisions.js';
import type { HistoryRow, MigrationFile } from './types.js';

export type RepairMark = 'applied' | 'not-applied';

export interface RepairInput {
  readonly database: Database;
  readonly target: ConnectionTarget;
  /** The version as the operator wrote it, and its history key. */
  readonly version: string;
  readonly versionKey: string;
  readonly mark: RepairMark;
  /** The migration as it is in the checkout, if it still is there (to record the statement's hash). */
  readonly file: MigrationFile | undefined;
  readonly by: string;
}

export interface RepairResult {
  readonly database: string;
  readonly version: string;
  /** The statement (0-based) the decision was about. */
  readonly statement: number;
  readonly mark: RepairMark;
  readonly row: HistoryRow;
}

/** The decision on plain rows: which row, and whether it may be repaired. */
export async function repairHistory(
  history: RevisionReadWriter,
  input: Omit<RepairInput, 'target'>,
  /** Refuses (throws) when the database shows the operator's mark is wrong. */
  verify?: (row: HistoryRow, statement: number) => Promise<void>,
): Promise<RepairResult> {
  const name = input.database.name;
  const row = (await history.read()).find((r) => r.versionKey === input.versionKey);
  if (!row) throw new InputError(`version ${input.version} is not in the history of ${name}`);
  if (row.status !== 'in-doubt' && !(row.status === 'running' && row.inflightStatement !== null)) {
    throw new RefusedError(
      `version ${input.version} of ${name} is ${row.status}, not in doubt; there is nothing to repair`,
    );
  }
  const statement = row.inflightStatement ?? row.statementsApplied;
  // A deploy that was killed leaves its statement running on the server: its outcome is not
  // known until it ends, and marking it now could record the opposite of what happens.
  const running = await history.stillRunning(row);
  if (running) {
    throw new RefusedError(
      `statement ${statement + 1} of version ${input.version} is still running on ${name} (connection ${running.connection}, for ${running.seconds} s); wait until it ends (or KILL QUERY ${running.connection}), then repair`,
    );
  }
  await verify?.(row, statement);
  const repaired = await history.repair(row, input.mark, input.by, input.file?.statements[statement]?.hash);
  return { database: name, version: row.version, statement, mark: input.mark, row: repaired };
}

/**
 * An online change leaves evidence: its copy (the swap never happened) or the old table (it did).
 * A mark that contradicts it is refused; the evidence is cleaned up either way (resume.ts).
 */
async function verifyOnlineMark(
  c: ControlSession,
  input: RepairInput,
  row: HistoryRow,
  statement: number,
): Promise<void> {
  const text = input.file?.statements[statement]?.text;
  if (row.inflightVia === null || text === undefined) return;
  const found = await readInterruptedOnline(c, input.database.name, text);
  if (found.mark !== 'unknown' && found.mark !== input.mark)
    throw new RefusedError(
      `statement ${statement + 1} of version ${input.version} ran through ${row.inflightVia}, and ${found.because}: it is ${found.mark}, not ${input.mark}. Nothing was changed; sqlgate deploy records it as ${found.mark} by itself`,
    );
  // Agreed: drop what the tool left, so the next run starts clean.
  if (found.mark !== 'unknown') await resolveInterruptedOnline(c, input.database.name, text, () => {});
}

export async function repairDatabase(input: RepairInput): Promise<RepairResult> {
  const { database, target } = input;
  const c = await ControlSession.open(target, CONTROL_TIMEOUT_MS, database.name);
  const lock = lockName(database.name);
  try {
    await acquireLock(c, lock, 10);
    try {
      return await repairHistory(
        new MysqlRevisions(c, database.name, { name: lock, holder: c.id }),
        input,
        (row, statement) => verifyOnlineMark(c, input, row, statement),
      );
    } finally {
      await releaseLock(c, lock);
    }
  } finally {
    await c.close();
  }
}
