// What a deploy will do to one database, decided from the files and the history before
// anything runs: skip, apply from statement k, or refuse with the reason. Pure.
import { compareVersions } from '../sql/migration-name.js';
import { type HistoryRow, type MigrationFile, versionKey } from './types.js';

export type FileAction =
  | { readonly kind: 'skip'; readonly file: MigrationFile }
  | { readonly kind: 'apply'; readonly file: MigrationFile; readonly from: number; readonly resume: boolean };

export type DeployDecision =
  | {
      readonly ok: true;
      readonly actions: readonly FileAction[];
      readonly warnings: readonly string[];
      readonly markInDoubt?: undefined;
    }
  | { readonly ok: false; readonly reason: string; readonly markInDoubt?: HistoryRow };

export function decideDeploy(
  files: readonly MigrationFile[],
  history: readonly HistoryRow[],
): DeployDecision {
  const byKey = new Map(history.map((r) => [r.versionKey, r]));
  const actions: FileAction[] = [];
  const warnings: string[] = [];
  const sorted = [...files].sort((a, b) => compareVersions(a.name.parts, b.name.parts));
  const keys = new Set(sorted.map((f) => versionKey(f.name.parts)));
  for (const row of history) {
    if (!keys.has(row.versionKey))
      warnings.push(`${row.file} (version ${row.version}) is in the history but not in the repository`);
  }
  let highestDone: MigrationFile | undefined;
  for (const file of sorted) {
    const row = byKey.get(versionKey(file.name.parts));
    const path = file.name.path;
    if (!row) {
      actions.push({ kind: 'apply', file, from: 0, resume: false });
      continue;
    }
    switch (row.status) {
      case 'success':
        if (row.checksum !== file.checksum) {
          return {
            ok: false,
            reason: `drift: ${path} was applied with checksum ${row.checksum} but the file now has ${file.checksum}; applied migrations must not change (add a new migration instead)`,
          };
        }
        actions.push({ kind: 'skip', file });
        highestDone = file;
        continue;
      case 'in-doubt':
        return {
          ok: false,
          reason: `${path} is in doubt: statement ${(row.inflightStatement ?? row.statementsApplied) + 1} was in flight when the connection was lost; check the database, then run sqlgate repair --version ${row.version} --mark applied|not-applied`,
        };
      case 'running':
        if (row.inflightStatement !== null) {
          return {
            ok: false,
            markInDoubt: row,
            reason: `${path} is in doubt: a deploy stopped while statement ${row.inflightStatement + 1} was in flight; check the database, then run sqlgate repair --version ${row.version} --mark applied|not-applied`,
          };
        }
        break;
      case 'failed':
        break;
      case 'rolled-back':
        actions.push({ kind: 'apply', file, from: 0, resume: true });
        continue;
    }
    // Failed, or stopped between statements: the applied statements must be unchanged.
    for (let i = 0; i < row.statementsApplied; i++) {
      if (row.statementHashes[i] !== file.statements[i]?.hash) {
        return {
          ok: false,
          reason: `statement ${i + 1} of ${path} changed after it was applied; restore it, and fix the failing statement or add a new migration`,
        };
      }
    }
    actions.push({ kind: 'apply', file, from: row.statementsApplied, resume: true });
  }
  // Applying an older version after a newer one ran would change history's order (Flyway's outOfOrder).
  const firstNew = actions.find((a) => a.kind === 'apply');
  if (firstNew && highestDone && compareVersions(firstNew.file.name.parts, highestDone.name.parts) < 0) {
    return {
      ok: false,
      reason: `${firstNew.file.name.path} (version ${firstNew.file.name.version}) is older than ${highestDone.name.path}, which is already applied; give it a higher version`,
    };
  }
  return { ok: true, actions, warnings };
}
