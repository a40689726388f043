import type { RiskLevel } from '../policy/types.js';
import type { MigrationName } from '../sql/migration-name.js';

/** `rolled-back`: its down file ran (`sqlgate rollback`); the next deploy applies it again. */
export type HistoryStatus = 'running' | 'success' | 'failed' | 'in-doubt' | 'rolled-back';

/** The table in each database that records what ran there (Flyway's flyway_schema_history). */
export const HISTORY_TABLE = 'sqlgate_history';

/** One row of `sqlgate_history`: one migration file in one database. */
export interface HistoryRow {
  readonly version: string;
  readonly versionKey: string;
  readonly description: string;
  readonly file: string;
  readonly checksum: string;
  readonly statementsTotal: number;
  readonly statementsApplied: number;
  readonly appliedHash: string;
  readonly statementHashes: readonly string[];
  readonly status: HistoryStatus;
  /** The statement being executed when the row was last written; set means outcome unknown. */
  readonly inflightStatement: number | null;
  /** What ran the statement in flight when not the deploy's connection (`pt-online-schema-change`). */
  readonly inflightVia: string | null;
  readonly error: string | null;
  readonly failedStatement: number | null;
  readonly appliedBy: string;
  readonly gitSha: string | null;
  readonly pr: number | null;
  /** The level the file's task had in the PR that brought it. */
  readonly risk: RiskLevel | null;
  readonly startedAt: string;
  readonly finishedAt: string | null;
  readonly executionMs: number | null;
  readonly note: string | null;
  /** The server's id of the connection the statements ran on. */
  readonly workConnection: number | null;
}

/** A migration file as it is in the repository now. */
export interface MigrationFile {
  readonly name: MigrationName;
  readonly checksum: string;
  readonly statements: readonly { readonly text: string; readonly hash: string; readonly line: number }[];
}

/** The key that makes V2, 2 and 2.0 the same version in the history. */
export function versionKey(parts: readonly bigint[]): string {
  return parts.map(String).join('.');
}
