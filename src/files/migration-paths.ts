// The files under the migrations folder of a working tree, as repository paths, for `validate`
// (plan and the check read them from git).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Every file under `root/migrationsDir`, as `migrationsDir/...` paths; none when it does not exist. */
export function listMigrationPaths(root: string, migrationsDir: string): string[] {
  const top = join(root, migrationsDir);
  if (!existsSync(top) || !statSync(top).isDirectory()) return [];
  const out: string[] = [];
  const walk = (dir: string, shown: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      if (entry.isDirectory()) walk(join(dir, entry.name), `${shown}/${entry.name}`);
      else out.push(`${shown}/${entry.name}`);
    }
  };
  walk(top, migrationsDir);
  return out;
}
