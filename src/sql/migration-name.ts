// Migration file names: `migrations/<folder>/<version>_<description>.sql`, accepting Bytebase's
// (`202503131500_create_t1_ddl.sql`, `1.0.0_init.sql`) and Flyway's (`V2__add_email.sql`) styles.
import { Diagnostic } from '../errors.js';

export interface MigrationName {
  /** Repository path, e.g. `migrations/test_db/V2__add_email.sql`. */
  readonly path: string;
  /** Folder under `migrations/`, which databases receive it by. */
  readonly folder: string;
  /** The version as written, e.g. `V2` or `1.0.0`. */
  readonly version: string;
  /** Numeric parts, trailing zeros removed, so `1.0` and `1` are the same version. */
  readonly parts: readonly bigint[];
  readonly description: string;
}

const NAME = /^([vV]?)(\d+(?:\.\d+)*)(__?)(.+)\.sql$/;

const DOWN_SUFFIX = '.down.sql';

/** `<version>_<description>.down.sql`: undoes the migration of the same name; never a migration itself. */
export function isDownFile(path: string): boolean {
  return path.toLowerCase().endsWith(DOWN_SUFFIX);
}

/** The path of the migration a down file undoes. */
export function upPathOf(downPath: string): string {
  return `${downPath.slice(0, -DOWN_SUFFIX.length)}.sql`;
}

/** The path a migration's down file would have. */
export function downPathOf(upPath: string): string {
  return `${upPath.slice(0, -'.sql'.length)}${DOWN_SUFFIX}`;
}

export function isMigrationCandidate(path: string, root = 'migrations'): boolean {
  return path.startsWith(`${root}/`) && path.toLowerCase().endsWith('.sql');
}

/** Parse one path, or explain what is wrong with it. */
export function parseMigrationName(path: string, root = 'migrations'): MigrationName | Diagnostic {
  const rest = path.slice(root.length + 1);
  const segments = rest.split('/');
  if (segments.length !== 2) {
    return new Diagnostic(
      path,
      0,
      0,
      `migration files must be directly inside a database folder: ${root}/<database>/<version>_<description>.sql`,
    );
  }
  const [folder, file] = segments as [string, string];
  const match = NAME.exec(file);
  if (!match) {
    return new Diagnostic(
      path,
      0,
      0,
      `bad migration file name "${file}"; expected <version>_<description>.sql, where the version is digits and dots with an optional V (1.0.0_init.sql, 202503131500_create_t1.sql, V2__add_email.sql)`,
    );
  }
  const [, prefix = '', digits = '', , description = ''] = match;
  const parts = digits.split('.').map((d) => BigInt(d));
  while (parts.length > 1 && parts[parts.length - 1] === 0n) parts.pop();
  return { path, folder, version: `${prefix}${digits}`, parts, description: description.replace(/_/g, ' ') };
}

// File names reach shell commands (the Action's `deployed` output), URLs and SQL comments; a
// name such as 1.2.0_x'$(id>&2)'.sql is valid for git and for the pattern above, so new files
// are held to letters, digits, dots, underscores and dashes.
const SAFE_NAME = /^[A-Za-z0-9._-]+$/;
const FLYWAY_ONE_UNDERSCORE = /^([vV]\d+(?:\.\d+)*)_(?!_)(.+)$/;

/** Files in a migrations folder that are not migrations and are meant to be there. */
function isNotes(file: string): boolean {
  return file.startsWith('.') || /\.md$/i.test(file);
}

/**
 * What is wrong with the path of a new file under the migrations folder, beyond the shape
 * parseMigrationName checks: a file that is not .sql (it would never be applied), characters
 * outside [A-Za-z0-9._-], or Flyway's V prefix with one underscore instead of two. Files already
 * on the base branch are history and are not judged again. Dotfiles (.gitkeep) and Markdown notes
 * are allowed.
 */
export function newFileProblem(path: string, root = 'migrations'): Diagnostic | undefined {
  if (!path.startsWith(`${root}/`)) return undefined;
  const file = path.slice(path.lastIndexOf('/') + 1);
  if (isNotes(file)) return undefined;
  if (!SAFE_NAME.test(file)) {
    const bad = [...new Set([...file].filter((c) => !/[A-Za-z0-9._-]/.test(c)))];
    const suggestion = file
      .replace(/[^A-Za-z0-9._-]+/g, '_')
      .replace(/_+(?=\.)/g, '')
      .replace(/__+/g, '_');
    return new Diagnostic(
      path,
      0,
      0,
      `migration file name "${file}" has characters other than letters, digits, ".", "_" and "-" (${bad.map((c) => JSON.stringify(c)).join(' ')}); names are passed to shells and URLs, so rename it, e.g. ${suggestion}`,
    );
  }
  if (!file.toLowerCase().endsWith('.sql')) {
    return new Diagnostic(
      path,
      0,
      0,
      `"${file}" is not a .sql file, so sqlgate would never apply it; name it <version>_<description>.sql, or keep it outside ${root}/ (Markdown notes and dotfiles may stay)`,
    );
  }
  const flyway = FLYWAY_ONE_UNDERSCORE.exec(file);
  if (flyway) {
    return new Diagnostic(
      path,
      0,
      0,
      `"${file}" has a Flyway version (${flyway[1]}) and one underscore; Flyway names take two: ${flyway[1]}__${flyway[2]}`,
    );
  }
  return undefined;
}

/**
 * Every problem with the files of a migrations folder judged as if each were new: bad names,
 * duplicate versions, down files without their migration, and what newFileProblem refuses.
 */
export function migrationPathProblems(paths: readonly string[], root = 'migrations'): Diagnostic[] {
  const { errors } = collectMigrations(paths, root);
  for (const path of paths) {
    if (errors.some((e) => e.file === path)) continue;
    const problem = newFileProblem(path, root);
    if (problem) errors.push(problem);
  }
  return errors.sort((a, b) => a.file.localeCompare(b.file));
}

/** Numeric part-by-part comparison: V2 < V10, 1.2 < 1.10, 1.0 = 1. */
export function compareVersions(a: readonly bigint[], b: readonly bigint[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? 0n;
    const y = b[i] ?? 0n;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

export function sortMigrations<T extends MigrationName>(list: readonly T[]): T[] {
  // The first localeCompare of a process loads ICU's collator (~13 ms); a deploy reads one folder
  // at a time, so equal folders, the common case, are settled without it.
  return [...list].sort(
    (a, b) =>
      (a.folder === b.folder ? 0 : a.folder.localeCompare(b.folder)) || compareVersions(a.parts, b.parts),
  );
}

/**
 * Parse every migration path of a tree, reporting bad names and versions used twice in one
 * folder. Files that are not `.sql` (a README) are not migrations and are ignored. Down files
 * (`.down.sql`) are returned apart, keyed by the migration they undo; one without its
 * migration is an error.
 */
export function collectMigrations(
  paths: readonly string[],
  root = 'migrations',
): { migrations: MigrationName[]; errors: Diagnostic[]; downs: Map<string, string> } {
  const migrations: MigrationName[] = [];
  const errors: Diagnostic[] = [];
  const downs = new Map<string, string>();
  for (const path of paths) {
    if (!isMigrationCandidate(path, root)) continue;
    if (isDownFile(path)) {
      downs.set(upPathOf(path), path);
      continue;
    }
    const parsed = parseMigrationName(path, root);
    if (parsed instanceof Diagnostic) errors.push(parsed);
    else migrations.push(parsed);
  }
  const sorted = sortMigrations(migrations);
  for (let i = 1; i < sorted.length; i++) {
    const [a, b] = [sorted[i - 1] as MigrationName, sorted[i] as MigrationName];
    if (a.folder === b.folder && compareVersions(a.parts, b.parts) === 0) {
      errors.push(
        new Diagnostic(
          b.path,
          0,
          0,
          `duplicate version ${b.version}: ${a.path} has the same version; each version may be used once per database folder`,
        ),
      );
    }
  }
  const ups = new Set(migrations.map((m) => m.path));
  for (const [up, down] of downs) {
    if (!ups.has(up))
      errors.push(new Diagnostic(down, 0, 0, `down file without its migration: expected ${up} beside it`));
  }
  return { migrations: sorted, errors, downs };
}
