// What a deploy would apply, read before anything runs (no lock, no writes), and the verdict on
// each of those migrations: did it come from a merged PR whose flow was satisfied? Deploy on push
// and rollout by tag both ask, with the same verifier.
import type { DatabaseTargets } from '../db/targets.js';
import { inspectDatabase } from '../deploy/apply.js';
import { readMigrationFolder } from '../deploy/sources.js';
import type { MigrationFile } from '../deploy/types.js';
import type { Database } from '../policy/types.js';
import type { MergedPrVerdict } from './merged-pr.js';

export type Pending =
  | { readonly ok: true; readonly files: readonly MigrationFile[] }
  | { readonly ok: false; readonly reason: string };

/** The migrations a database would get now, or why a deploy would refuse it. */
export type PendingReader = (database: Database) => Promise<Pending>;

/** Reads each migration folder once, however many databases receive it. */
export function pendingReader(input: {
  readonly root: string;
  readonly migrationsDir: string;
  readonly targets: DatabaseTargets;
}): PendingReader {
  const folders = new Map<string, MigrationFile[]>();
  return async (database) => {
    let files = folders.get(database.migrations);
    if (!files) {
      files = readMigrationFolder(input.root, input.migrationsDir, database.migrations);
      folders.set(database.migrations, files);
    }
    const decision = await inspectDatabase(database, input.targets.of(database), files);
    return decision.ok
      ? { ok: true, files: decision.actions.flatMap((a) => (a.kind === 'apply' ? [a.file] : [])) }
      : { ok: false, reason: decision.reason };
  };
}

/** Verifies each migration once, however many databases receive it. */
export function cachedVerifier(
  verify: (path: string, commit: string) => Promise<MergedPrVerdict>,
  commit: string,
): { verdictOf: (path: string) => Promise<MergedPrVerdict>; verdicts: ReadonlyMap<string, MergedPrVerdict> } {
  const verdicts = new Map<string, MergedPrVerdict>();
  return {
    verdicts,
    verdictOf: async (path) => {
      let verdict = verdicts.get(path);
      if (!verdict) {
        verdict = await verify(path, commit);
        verdicts.set(path, verdict);
      }
      return verdict;
    },
  };
}
