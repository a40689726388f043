// Migration files as they are in the checkout being deployed.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Diagnostic, InputError } from '../errors.js';
import { decodeSql } from '../sql/decode.js';
import { collectMigrations, type MigrationName } from '../sql/migration-name.js';
import { splitStatements } from '../sql/split.js';
import { fileChecksum, normaliseSql, statementHash } from './checksum.js';
import type { MigrationFile } from './types.js';

/** Every migration of one folder, parsed, split and checksummed; bad input is an InputError. */
export function readMigrationFolder(root: string, migrationsDir: string, folder: string): MigrationFile[] {
  const dir = join(root, migrationsDir, folder);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return [];
  const paths = readdirSync(dir).map((f) => `${migrationsDir}/${folder}/${f}`);
  const { migrations, errors } = collectMigrations(paths, migrationsDir);
  const files: MigrationFile[] = [];
  for (const name of migrations) {
    const text = decodeSql(name.path, readFileSync(join(root, name.path)));
    if (text instanceof Diagnostic) {
      errors.push(text);
      continue;
    }
    files.push(migrationFileOf(name, text));
  }
  if (errors.length > 0) throw new InputError(errors);
  return files;
}

/** A migration's statements as the deploy engine splits them, each with its first line. */
export function deployStatements(text: string): { readonly text: string; readonly line: number }[] {
  return splitStatements(normaliseSql(text)).map((s) => ({ text: s.text, line: s.start.line }));
}

/** A migration's text split into statements and checksummed, as the deploy engine takes it. */
export function migrationFileOf(name: MigrationName, text: string): MigrationFile {
  let statements: MigrationFile['statements'] | undefined;
  return {
    name,
    checksum: fileChecksum(text),
    // Split on first use: a deploy compares only the checksum of a file already applied
    // (decide.ts), and splitting and hashing every file of a long history cost more than reading
    // it. Splitting never fails, so deferring it defers no error past the start of a deploy.
    get statements() {
      statements ??= deployStatements(text).map((s) => ({ ...s, hash: statementHash(s.text) }));
      return statements;
    },
  };
}
