// Where a statement failed, in the file's terms and the server's words: the rehearsal and
// rollback both report failures this way.
import { redact } from '../db/connect.js';
import type { ConnectionTarget } from '../db/url.js';
import type { MigrationFile } from '../deploy/types.js';
import type { StatementFailure } from './types.js';

/** MySQL says where in the statement it stopped ("... at line 3"): turn that into the file's line. */
export function failureAt(file: MigrationFile, index: number, error: string): StatementFailure {
  const start = file.statements[index]?.line ?? 0;
  const within = /at line (\d+)\s*$/.exec(error);
  return { statement: index + 1, line: within ? start + Number(within[1]) - 1 : start, error };
}

export function describeError(error: unknown, target: ConnectionTarget): string {
  const e = error as { code?: string; errno?: number; sqlMessage?: string; message?: string };
  const text = e.sqlMessage ?? e.message ?? String(error);
  return redact(e.code ? `${e.code}${e.errno ? ` (${e.errno})` : ''}: ${text}` : text, target);
}
