// The seam between the deploy and an online schema change engine. pt-online-schema-change is
// the one built (ptosc.ts); gh-ost (MySQL only) would be a second implementation of this.
import type { ConnectionTarget } from '../db/url.js';
import type { OnlineTool } from '../policy/types.js';
import type { OnlineOptions } from './decide.js';

export interface CopyProgress {
  readonly percent: number;
  /** The tool's estimate of the time left, as it prints it (`01:23`). */
  readonly eta: string;
}

export interface OnlineRun {
  readonly target: ConnectionTarget;
  readonly database: string;
  readonly table: string;
  /** The ALTER's clauses without `ALTER TABLE name` (see alter-clause.ts). */
  readonly clause: string;
  readonly options: OnlineOptions;
  /** Seconds the tool's own DDL (triggers, swap) may wait for a metadata lock. */
  readonly lockWaitTimeoutSeconds: number;
  readonly log: (line: string) => void;
  readonly onProgress?: (progress: CopyProgress) => void;
  /** The child's process id, as soon as it runs (for tests and operators). */
  readonly onSpawn?: (pid: number) => void;
  /** Aborting stops the tool, which then drops its triggers and new table. */
  readonly signal?: AbortSignal;
  /** Seconds between progress reports (default 5). */
  readonly progressSeconds?: number;
}

export interface OnlineRunResult {
  readonly ok: boolean;
  /** The tool's exit status; null when a signal ended it. */
  readonly exitCode: number | null;
  readonly signal: string | null;
  /** The tool's own words for what went wrong (its last error lines), redacted. */
  readonly error?: string;
}

export interface OnlineSchemaChanger {
  readonly tool: OnlineTool;
  /** Throws an InputError naming how to install the tool when it is missing. */
  ensureInstalled(): void;
  run(request: OnlineRun): Promise<OnlineRunResult>;
}
