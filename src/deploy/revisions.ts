// The seam between the deploy engine and the store of its history (Atlas's RevisionReadWriter,
// sql/migrate/migrate.go): the engine decides and runs; where the rows live is not its business.
// The MySQL implementation is mysql-revisions.ts; decisions are tested on plain rows.
import type { HistoryRow, HistoryStatus } from './types.js';

export interface StartRecord {
  readonly version: string;
  readonly versionKey: string;
  readonly description: string;
  readonly file: string;
  readonly checksum: string;
  readonly statementsTotal: number;
  readonly appliedBy: string;
  readonly gitSha: string | null;
  readonly pr: number | null;
  readonly risk: string | null;
}

export interface FinishOutcome {
  readonly status: HistoryStatus;
  readonly error?: string;
  readonly failedStatement?: number;
  readonly failedSql?: string;
}

/** Reads the history; never creates anything (status and dry runs must change nothing). */
export interface RevisionReader {
  /** Whether the history exists yet. */
  exists(): Promise<boolean>;
  /** Every row, oldest first; empty when there is no history. */
  read(): Promise<HistoryRow[]>;
}

/** Writes the history. Writes made while the deploy lock is held fail once the lock is lost. */
export interface RevisionReadWriter extends RevisionReader {
  ensure(): Promise<void>;
  /** Insert (or, on resume, reset) a file's row with its first statement in flight. */
  start(record: StartRecord, resume: boolean, firstStatement: number): Promise<void>;
  /** Statement `statement` (0-based) is about to be sent. */
  inflight(versionKey: string, statement: number): Promise<void>;
  /** Statements up to `applied` ran; with `done`, the file is finished too. */
  applied(
    versionKey: string,
    applied: number,
    hashes: readonly string[],
    appliedHash: string,
    done: boolean,
  ): Promise<void>;
  finish(versionKey: string, outcome: FinishOutcome): Promise<void>;
  /** A deploy stopped with a statement in flight: nobody knows whether it ran. */
  markInDoubt(versionKey: string): Promise<void>;
  /** The operator's decision about an in-doubt statement; returns the row as it is now. */
  repair(
    row: HistoryRow,
    mark: 'applied' | 'not-applied',
    by: string,
    statementHash?: string,
  ): Promise<HistoryRow>;
}
