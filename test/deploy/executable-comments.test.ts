// What runs is what was analysed: statements are sent exactly as the splitter cut them, and
// MariaDB's executable comments (`/*M! ... */`, like MySQL's `/*! ... */`) are part of them.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../support/cli.js';
import { makeWorkdir, removeWorkdirs } from '../support/deploy-workdir.js';
import { MariaDbServer } from '../support/mariadb.js';

let server: MariaDbServer;
beforeAll(async () => {
  server = await MariaDbServer.start();
}, 60_000);
afterAll(async () => {
  await server?.stop();
});
afterEach(() => removeWorkdirs());

const columns = (db: string, table: string) =>
  server.query<{ c: string }>(
    `SELECT COLUMN_NAME AS c FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '${db}' AND TABLE_NAME = '${table}' ORDER BY ORDINAL_POSITION`,
  );

describe('executable comments', () => {
  it('runs the /*M! ... */ part of a statement on MariaDB, as the mariadb client does', async () => {
    const w = await makeWorkdir(server, {
      'migrations/app/V1__create.sql': 'CREATE TABLE t (id INT, name VARCHAR(20));',
      'migrations/app/V2__alter.sql': 'ALTER TABLE t ADD y INT /*M! , DROP COLUMN name */;',
    });
    const run = await cli(['deploy', '--env', 'test'], { cwd: w.dir, env: w.env });
    expect(run.stdout.split('\n').pop()).toBe(
      `✓ test/${w.db}: applied migrations/app/V1__create.sql (1 statement), migrations/app/V2__alter.sql (1 statement)`,
    );
    expect(await columns(w.db, 't')).toEqual([{ c: 'id' }, { c: 'y' }]);
  });

  it('a file holding only a /*M!100500 ... */ statement is one statement, and runs', async () => {
    const w = await makeWorkdir(server, {
      'migrations/app/V1__create.sql': 'CREATE TABLE customer (id INT);',
      'migrations/app/V2__mariadb_only.sql': '/*M!100500 ALTER TABLE customer ADD COLUMN x INT */;',
    });
    const run = await cli(['deploy', '--env', 'test'], { cwd: w.dir, env: w.env });
    expect(run.stdout.split('\n').pop()).toBe(
      `✓ test/${w.db}: applied migrations/app/V1__create.sql (1 statement), migrations/app/V2__mariadb_only.sql (1 statement)`,
    );
    expect(await columns(w.db, 'customer')).toEqual([{ c: 'id' }, { c: 'x' }]);
  });
});
