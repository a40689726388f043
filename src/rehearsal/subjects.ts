// What to rehearse, read from git: per database folder the PR touches, every migration on the
// tip of the base branch (what the PR will be merged onto), then the PR's, with their down files.
import { migrationFileOf } from '../deploy/sources.js';
import type { MigrationFile } from '../deploy/types.js';
import { InputError, PolicyError } from '../errors.js';
import type { GitRepo } from '../git/repo.js';
import type { PlanResult } from '../plan/plan.js';
import { decodeSql } from '../sql/decode.js';
import { collectMigrations, type MigrationName, parseMigrationName } from '../sql/migration-name.js';
import type { RehearsalSubject } from './types.js';

/** The subjects, and the paths of the PR's migrations that have a down file. */
export async function rehearsalSubjects(
  repo: GitRepo,
  plan: PlanResult,
  baseTip: string,
): Promise<{ subjects: RehearsalSubject[]; withDown: Set<string> }> {
  const root = plan.migrationsDir;
  const prPaths = new Set(plan.migrations.map((m) => m.path));
  const atBase = collectMigrations(await repo.listFiles(baseTip, root), root).migrations.filter(
    (m) => !prPaths.has(m.path),
  );
  const atHead = collectMigrations(await repo.listFiles(plan.head.commit, root), root);
  const errors: PolicyError[] = [];
  const read = async (commit: string, names: readonly MigrationName[]): Promise<MigrationFile[]> => {
    const bytes = await repo.readFiles(
      commit,
      names.map((n) => n.path),
    );
    const files: MigrationFile[] = [];
    for (const name of names) {
      const text = decodeSql(name.path, bytes.get(name.path) ?? Buffer.alloc(0));
      if (text instanceof PolicyError) errors.push(text);
      else files.push(migrationFileOf(name, text));
    }
    return files;
  };
  const subjects: RehearsalSubject[] = [];
  for (const folder of [...new Set(plan.migrations.map((m) => m.folder))]) {
    const database = plan.policy.databases.find((d) => d.migrations === folder);
    if (!database) continue;
    const pr = plan.migrations.filter((m) => m.folder === folder);
    // Down files are named like migrations (`1_init.down.sql` reads as version 1, "init.down").
    const withDown = pr.flatMap((m) => {
      const path = atHead.downs.get(m.path);
      const name = path ? parseMigrationName(path, root) : undefined;
      return name && !(name instanceof PolicyError) ? [{ up: m.path, down: name }] : [];
    });
    const downs = await read(
      plan.head.commit,
      withDown.map((d) => d.down),
    );
    subjects.push({
      folder,
      database: database.name,
      base: await read(
        baseTip,
        atBase.filter((m) => m.folder === folder),
      ),
      pr: await read(plan.head.commit, pr),
      downs: new Map(
        downs.map((file) => [withDown.find((d) => d.down.path === file.name.path)?.up ?? '', file]),
      ),
    });
  }
  if (errors.length > 0) throw new InputError(errors);
  return { subjects, withDown: new Set([...prPaths].filter((p) => atHead.downs.has(p))) };
}
