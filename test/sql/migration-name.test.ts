import { describe, expect, it } from 'vitest';
import { Diagnostic } from '../../src/errors.js';
import { collectMigrations, compareVersions, parseMigrationName } from '../../src/sql/migration-name.js';

const parts = (path: string) => {
  const m = parseMigrationName(path);
  if (m instanceof Diagnostic) throw m;
  return m.parts;
};

describe('migration file names', () => {
  it.each([
    ['migrations/test_db/202503131500_create_t1_ddl.sql', '202503131500', 'create t1 ddl'],
    ['migrations/test_db/1.0.0_init.sql', '1.0.0', 'init'],
    ['migrations/test_db/V2__add_email.sql', 'V2', 'add email'],
    ['migrations/test_db/v10_fix.sql', 'v10', 'fix'],
  ])('accepts %s', (path, version, description) => {
    expect(parseMigrationName(path)).toMatchObject({ folder: 'test_db', version, description });
  });

  it.each([
    ['migrations/test_db/init.sql', 'bad migration file name "init.sql"'],
    ['migrations/test_db/1.0.0-init.sql', 'bad migration file name "1.0.0-init.sql"'],
    ['migrations/test_db/V2.sql', 'bad migration file name "V2.sql"'],
    ['migrations/1_init.sql', 'migration files must be directly inside a database folder'],
    ['migrations/a/b/1_init.sql', 'migration files must be directly inside a database folder'],
  ])('rejects %s naming the file', (path, message) => {
    const result = parseMigrationName(path);
    expect(result).toBeInstanceOf(Diagnostic);
    expect((result as Diagnostic).format()).toContain(`${path}: ${message}`);
  });

  it('compares versions numerically part by part', () => {
    expect(compareVersions(parts('migrations/d/V2__a.sql'), parts('migrations/d/V10__a.sql'))).toBeLessThan(
      0,
    );
    expect(compareVersions(parts('migrations/d/1.2_a.sql'), parts('migrations/d/1.10_a.sql'))).toBeLessThan(
      0,
    );
    expect(compareVersions(parts('migrations/d/1.0_a.sql'), parts('migrations/d/1_a.sql'))).toBe(0);
    expect(
      compareVersions(parts('migrations/d/202503131500_a.sql'), parts('migrations/d/202503131501_a.sql')),
    ).toBeLessThan(0);
  });

  it('keeps down files apart from migrations, keyed by the migration they undo, and reports one without its migration', () => {
    const { migrations, errors, downs } = collectMigrations([
      'migrations/db/1.0.0_init.sql',
      'migrations/db/1.0.0_init.down.sql',
      'migrations/db/V2__add_email.sql',
      'migrations/db/V2__add_email.down.sql',
      'migrations/db/3_gone.down.sql',
    ]);
    expect(migrations.map((m) => m.path)).toEqual([
      'migrations/db/1.0.0_init.sql',
      'migrations/db/V2__add_email.sql',
    ]);
    expect([...downs]).toEqual([
      ['migrations/db/1.0.0_init.sql', 'migrations/db/1.0.0_init.down.sql'],
      ['migrations/db/V2__add_email.sql', 'migrations/db/V2__add_email.down.sql'],
      ['migrations/db/3_gone.sql', 'migrations/db/3_gone.down.sql'],
    ]);
    expect(errors.map((e) => e.format())).toEqual([
      'migrations/db/3_gone.down.sql: down file without its migration: expected migrations/db/3_gone.sql beside it',
    ]);
  });

  it('sorts by version and reports duplicate versions and bad names, ignoring non-SQL files', () => {
    const { migrations, errors } = collectMigrations([
      'migrations/db/V10__ten.sql',
      'migrations/db/V2__two.sql',
      'migrations/db/2_two_again.sql',
      'migrations/db/README.md',
      'migrations/db/oops.sql',
      'migrations/other/V1__one.sql',
    ]);
    expect(migrations.map((m) => m.path)).toEqual([
      'migrations/db/V2__two.sql',
      'migrations/db/2_two_again.sql',
      'migrations/db/V10__ten.sql',
      'migrations/other/V1__one.sql',
    ]);
    expect(errors.map((e) => e.format())).toEqual([
      expect.stringContaining('migrations/db/oops.sql: bad migration file name'),
      'migrations/db/2_two_again.sql: duplicate version 2: migrations/db/V2__two.sql has the same version; each version may be used once per database folder',
    ]);
  });
});
