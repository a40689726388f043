// What a rehearsal found, as data: the CLI, the PR comment and the risk facts all read this.
import type { MigrationFile } from '../deploy/types.js';
import type { RiskLevel, RuleLevel, SourceLocation } from '../policy/types.js';

/** One database folder to rehearse: the base branch's migrations, then the PR's. */
export interface RehearsalSubject {
  /** Folder under `migrations/`. */
  readonly folder: string;
  /** The database's name in environments.yaml (the scratch schema is named after it). */
  readonly database: string;
  readonly base: readonly MigrationFile[];
  readonly pr: readonly MigrationFile[];
  /** Down files by the path of the migration they undo (PR migrations only are round-tripped). */
  readonly downs: ReadonlyMap<string, MigrationFile>;
}

/** Where a statement failed: 1-based statement of the file, its line in the file, the server's words. */
export interface StatementFailure {
  readonly statement: number;
  readonly line: number;
  readonly error: string;
}

export interface StatementTiming {
  /** 1-based. */
  readonly statement: number;
  readonly line: number;
  readonly ms: number;
}

/** A difference between the schema before up and after down, for one table, column or index. */
export interface SchemaMismatch {
  readonly object: string;
  /** Undefined: the object did not exist. */
  readonly before: string | undefined;
  readonly afterDown: string | undefined;
}

export type RoundTripState = 'matched' | 'mismatched' | 'down-failed' | 'reapply-failed';

export interface RoundTrip {
  readonly down: string;
  readonly state: RoundTripState;
  readonly mismatches: readonly SchemaMismatch[];
  /** The failing statement of the down file (down-failed) or of the migration (reapply-failed). */
  readonly failure?: StatementFailure;
}

export type FileOutcome = 'applied' | 'failed' | 'not-run';

export interface RehearsedFile {
  readonly path: string;
  readonly outcome: FileOutcome;
  readonly statements: readonly StatementTiming[];
  readonly failure?: StatementFailure;
  readonly roundTrip?: RoundTrip;
}

export interface RehearsedDatabase {
  readonly folder: string;
  readonly database: string;
  /** The throwaway schema it ran in. */
  readonly schema: string;
  readonly base: {
    readonly files: number;
    readonly ms: number;
    /** Set when the base branch's own migrations do not apply: nothing of the PR was tried. */
    readonly failure?: StatementFailure & { readonly path: string };
  };
  readonly files: readonly RehearsedFile[];
  /** The rehearsal could not run at all here (a server error outside any statement). */
  readonly error?: string;
}

/** A migration at or above `requireRollback` without its down file. */
export interface MissingRollback {
  readonly file: string;
  readonly level: RiskLevel;
  readonly downFile: string;
  readonly required: RuleLevel;
  /** Where `requireRollback` is written. */
  readonly rule: SourceLocation;
}

export type RehearsalState = 'passed' | 'failed';

export interface RehearsalReport {
  readonly state: RehearsalState;
  /** Where it ran, safe to print. */
  readonly server: string;
  readonly databases: readonly RehearsedDatabase[];
  readonly ms: number;
}

/** Failed: a migration or down file did not apply, a round trip did not match, or a base did not build. */
export function rehearsalState(databases: readonly RehearsedDatabase[]): RehearsalState {
  const bad = databases.some(
    (d) =>
      d.error !== undefined ||
      d.base.failure !== undefined ||
      d.files.some((f) => f.outcome === 'failed' || (f.roundTrip && f.roundTrip.state !== 'matched')),
  );
  return bad ? 'failed' : 'passed';
}
