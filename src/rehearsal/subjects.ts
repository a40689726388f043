// What to rehearse, read from git: per database folder the PR touches, every migration on the
// tip of the base branch (what the PR will be merged onto), then the PR's, with their down files.
import { migrationFileOf } from '../deploy/sources.js';
import type { MigrationFile } from '../deploy/types.js';
import { Diagnostic, InputError } from '../errors.js';
import type { GitRepo } from '../git/repo.js';
import type { Policy } from '../policy/types.js';
import { decodeSql } from '../sql/decode.js';
import { collectMigrations, type MigrationName, parseMigrationName } from '../sql/migration-name.js';
import type { RehearsalSubject } from './types.js';

export interface SubjectsInput {
  readonly repo: GitRepo;
  readonly policy: Policy;
  readonly migrationsDir: string;
  /** The PR's migrations as the plan read them (at the head). */
  readonly pr: readonly { readonly migration: MigrationName; readonly text: string }[];
  readonly baseTip: string;
  readonly head: string;
}

export async function rehearsalSubjects(input: SubjectsInput): Promise<RehearsalSubject[]> {
  const { repo, migrationsDir: root } = input;
  const prPaths = new Set(input.pr.map((m) => m.migration.path));
  const atBase = collectMigrations(await repo.listFiles(input.baseTip, root), root).migrations.filter(
    (m) => !prPaths.has(m.path),
  );
  const downs = await downFilesAt(repo, input.head, root);
  const errors: Diagnostic[] = [];
  const read = async (commit: string, names: readonly MigrationName[]): Promise<MigrationFile[]> => {
    const bytes = await repo.readFiles(
      commit,
      names.map((n) => n.path),
    );
    const files: MigrationFile[] = [];
    for (const name of names) {
      const text = decodeSql(name.path, bytes.get(name.path) ?? Buffer.alloc(0));
      if (text instanceof Diagnostic) errors.push(text);
      else files.push(migrationFileOf(name, text));
    }
    return files;
  };
  const subjects: RehearsalSubject[] = [];
  for (const folder of [...new Set(input.pr.map((m) => m.migration.folder))]) {
    const database = input.policy.databases.find((d) => d.migrations === folder);
    if (!database) continue;
    const pr = input.pr.filter((m) => m.migration.folder === folder);
    // Down files are named like migrations (`1_init.down.sql` reads as version 1, "init.down").
    const withDown = pr.flatMap(({ migration }) => {
      const path = downs.get(migration.path);
      const name = path ? parseMigrationName(path, root) : undefined;
      return name && !(name instanceof Diagnostic) ? [{ up: migration.path, down: name }] : [];
    });
    const downFiles = await read(
      input.head,
      withDown.map((d) => d.down),
    );
    subjects.push({
      folder,
      database: database.name,
      base: await read(
        input.baseTip,
        atBase.filter((m) => m.folder === folder),
      ),
      pr: pr.map(({ migration, text }) => migrationFileOf(migration, text)),
      downs: new Map(
        downFiles.map((file) => [withDown.find((d) => d.down.path === file.name.path)?.up ?? '', file]),
      ),
    });
  }
  if (errors.length > 0) throw new InputError(errors);
  return subjects;
}

/** Down files at a commit, by the path of the migration each undoes. */
export async function downFilesAt(repo: GitRepo, commit: string, root: string): Promise<Map<string, string>> {
  return collectMigrations(await repo.listFiles(commit, root), root).downs;
}
