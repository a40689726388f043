// The seam between the deploy engine and the store of its history (Atlas's RevisionReadWriter,
// sql/migrate/migrate.go): the engine decides and runs; where the rows live is not its business.
// The MySQL implementation is mysql-revisions.ts; decisions are tested on plain rows.
//
// Writes are queued and made durable by flush(), so that one commit carries everything that is
// already true (a file's finish, the next file's start, "k applied, k+1 in flight"): one history
// write per statement, and none at all apart from the statement's own commit for a DML
// statement, whose progress commits inside its transaction.
import type { RiskLevel } from '../policy/types.js';
import type { HistoryRow, HistoryStatus } from './types.js';

/**
 * Queued writes rendered for a packet, taken off the queue (what is queued next is written
 * after them). Exactly one of the three ends them: they ran, they did not, or the connection
 * dropped and the history itself says which.
 */
export interface InlineWrites {
  readonly statements: readonly string[];
  written(): void;
  unwritten(): void;
  /** After a lost connection: read back whether they committed ('unknown': unreadable, kept as written). */
  settle(): Promise<'written' | 'unwritten' | 'unknown'>;
  /**
   * Whether they committed, told by the rows of new files they insert, which nothing else writes
   * (so a later write to the same rows cannot hide it); undefined when they insert none or the
   * history cannot be read. Reads only: written() or unwritten() then says which.
   */
  inserted(): Promise<boolean | undefined>;
  /**
   * Whether the history reads as they left it (undefined: unreadable). Reads only: a write that
   * shows has committed for good, one that does not may still commit while its connection lives.
   */
  shows(): Promise<boolean | undefined>;
}

export interface StartRecord {
  readonly version: string;
  readonly versionKey: string;
  readonly description: string;
  readonly file: string;
  readonly checksum: string;
  readonly statementsTotal: number;
  /** Every statement's hash, written once per file: resuming checks the applied ones against it. */
  readonly statementHashes: readonly string[];
  readonly appliedBy: string;
  readonly gitSha: string | null;
  readonly pr: number | null;
  readonly risk: RiskLevel | null;
  /** The server's id of the connection the statements run on (repair checks it has finished). */
  readonly connection: number | null;
}

/** How far a file has got: `applied` statements ran; statement `inflight` may be running. */
export interface Progress {
  readonly applied: number;
  /** The running hash of the applied statements. */
  readonly appliedHash: string;
  readonly inflight: number | null;
  readonly done: boolean;
  /** What runs the statement in flight, when not the deploy's own connection (an online schema change tool). */
  readonly via?: string | null;
}

export interface FinishOutcome {
  readonly status: Exclude<HistoryStatus, 'running' | 'success'>;
  readonly error: string;
  readonly failedStatement: number;
  /** The statement that failed; the store keeps a bounded excerpt and its hash. */
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
  /** Queue: a file's row is inserted (or, on resume, reset) at `progress`. */
  start(record: StartRecord, resume: boolean, progress: Progress): void;
  /** Queue: a file has got to `progress`. */
  progress(versionKey: string, progress: Progress): void;
  /**
   * Make the queued writes durable, in one commit. `inStatementTransaction`: inside the
   * transaction the statement runner has open, so they commit, or roll back, with it.
   */
  flush(options?: { readonly inStatementTransaction?: boolean }): Promise<void>;
  /**
   * The queued writes as statements to send ahead of a migration's statement in one packet on
   * the work connection (see MysqlRevisions.inline); null when nothing is queued.
   */
  inline(options: { readonly ownTransaction: boolean; readonly onlyInFlight?: boolean }): InlineWrites | null;
  /** An error of one of inline()'s statements, as flush() would have thrown it. */
  writeError(error: unknown): unknown;
  /**
   * A statement that fails its packet (as writeError reads it: the lock was lost) unless the
   * deploy still holds its lock: sent before a COMMIT that ends many statements.
   */
  lockCheck(): string;
  /** What is durably recorded for a file (after the last successful flush), if anything. */
  recorded(versionKey: string): { readonly applied: number; readonly inflight: number | null } | undefined;
  /** Whether what is durably recorded shows a statement in flight (its completion still queued). */
  showsInFlight(): boolean;
  /** Record a failed or in-doubt end of a file now (with anything queued). */
  finish(versionKey: string, progress: Progress, outcome: FinishOutcome): Promise<void>;
  /** A deploy stopped with a statement in flight: nobody knows whether it ran. */
  markInDoubt(versionKey: string): Promise<void>;
  /** The connection and seconds of a statement of this row still running on the server, if one is. */
  stillRunning(row: HistoryRow): Promise<{ readonly connection: number; readonly seconds: number } | null>;
  /**
   * A migration's down file ran (`sqlgate rollback`, or a rehearsal's round trip): its row becomes
   * `rolled-back` with `note` (who, when, which file) appended, so the next deploy applies it
   * again. Only a fully applied row can be rolled back.
   */
  rolledBack(versionKey: string, note: string): Promise<void>;
  /** The operator's decision about an in-doubt statement; returns the row as it is now. */
  repair(
    row: HistoryRow,
    mark: 'applied' | 'not-applied',
    by: string,
    /** The statement's hash, for rows written before every hash was recorded at the start. */
    statementHash?: string,
  ): Promise<HistoryRow>;
}
