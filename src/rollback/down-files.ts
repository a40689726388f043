// Down files as they are in the checkout, split like migrations, by the path of the migration
// each undoes.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { migrationFileOf } from '../deploy/sources.js';
import type { MigrationFile } from '../deploy/types.js';
import { Diagnostic, InputError } from '../errors.js';
import { decodeSql } from '../sql/decode.js';
import { collectMigrations, parseMigrationName } from '../sql/migration-name.js';

export function readDownFiles(
  root: string,
  migrationsDir: string,
  folder: string,
): Map<string, MigrationFile> {
  let names: string[];
  try {
    names = readdirSync(join(root, migrationsDir, folder));
  } catch {
    return new Map();
  }
  const { downs } = collectMigrations(
    names.map((n) => `${migrationsDir}/${folder}/${n}`),
    migrationsDir,
  );
  const files = new Map<string, MigrationFile>();
  const errors: Diagnostic[] = [];
  for (const [up, down] of downs) {
    const name = parseMigrationName(down, migrationsDir);
    const text = decodeSql(down, readFileSync(join(root, down)));
    if (name instanceof Diagnostic) errors.push(name);
    else if (text instanceof Diagnostic) errors.push(text);
    else files.set(up, migrationFileOf(name, text));
  }
  if (errors.length > 0) throw new InputError(errors);
  return files;
}
