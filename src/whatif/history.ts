// Reads what landed on the default branch from git: each first-parent commit that added
// migration files, attributed to its pull request, with the files as they were added.
import type { GitRepo } from '../git/repo.js';
import { decodeSql } from '../sql/decode.js';
import { isMigrationCandidate } from '../sql/migration-name.js';
import { attribute } from './attribute.js';
import type { LandedChange } from './replay.js';

export interface LandedHistory {
  readonly changes: readonly LandedChange[];
  /** Files that could not be read as SQL (not UTF-8, a NUL byte), with the reason. */
  readonly unreadable: readonly { readonly path: string; readonly reason: string }[];
}

/** Every migration that landed on `ref`, newest first, grouped by the commit that landed it. */
export async function landedMigrations(
  repo: GitRepo,
  ref: string,
  migrationsDir: string,
): Promise<LandedHistory> {
  const commits = (await repo.firstParentAdditions(ref, migrationsDir))
    .map((c) => ({ ...c, added: c.added.filter((p) => isMigrationCandidate(p, migrationsDir)) }))
    .filter((c) => c.added.length > 0);
  const specs = commits.flatMap((c) => c.added.map((path) => ({ ref: c.commit, path })));
  const blobs = await repo.readBlobs(specs);
  const unreadable: { path: string; reason: string }[] = [];
  let i = 0;
  const changes = commits.map((c): LandedChange => {
    const files: { path: string; text: string }[] = [];
    for (const path of c.added) {
      const text = decodeSql(path, blobs[i++] ?? Buffer.alloc(0));
      if (typeof text === 'string') files.push({ path, text });
      else unreadable.push({ path, reason: text.message });
    }
    return { commit: c.commit, date: c.date, attribution: attribute(c), files };
  });
  return { changes, unreadable };
}
