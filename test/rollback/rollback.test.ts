import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../policy/seed-texts.js';
import { cli } from '../support/cli.js';
import { MariaDbServer } from '../support/mariadb.js';

let server: MariaDbServer;
const dirs: string[] = [];
beforeAll(async () => {
  server = await MariaDbServer.start({ durable: false });
}, 60_000);
afterAll(async () => {
  await server?.stop();
});
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const MIGRATIONS = {
  'migrations/app/1.0.0_init.sql': 'CREATE TABLE t1 (id INT PRIMARY KEY);\n',
  'migrations/app/1.0.1_email.sql': 'ALTER TABLE t1 ADD COLUMN email VARCHAR(100);\n',
  'migrations/app/1.0.1_email.down.sql': 'ALTER TABLE t1 DROP COLUMN email;\n',
  'migrations/app/1.0.2_audit.sql': 'CREATE TABLE audit (id INT PRIMARY KEY);\n',
  'migrations/app/1.0.2_audit.down.sql': 'DROP TABLE audit;\n',
};

let n = 0;
async function deployed(files: Record<string, string> = MIGRATIONS) {
  const dir = mkdtempSync(join(tmpdir(), 'sqlgate-rollback-'));
  dirs.push(dir);
  const db = `rb_${process.pid}_${++n}`;
  cpSync(join(REPO_ROOT, 'examples/seed/policies'), join(dir, 'policies'), { recursive: true });
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  };
  write(
    'policies/environments.yaml',
    `environments:\n  - {id: test, title: Test, order: 1, rollout: automatic}\n  - {id: prod, title: Prod, order: 2, rollout: manual, tag: "prod/*", rolloutRoles: [dba]}\ndatabases:\n  - {name: ${db}, environment: test, urlEnv: TEST_DB_URL, migrations: app}\n`,
  );
  for (const [path, text] of Object.entries(files)) write(path, text);
  await server.query(`CREATE DATABASE ${db}`);
  const env = { TEST_DB_URL: server.url, USER: 'olivia' };
  const run = (...args: string[]) => cli(args, { cwd: dir, env });
  expect((await run('deploy', '--env', 'test')).code).toBe(0);
  const history = () =>
    server.query<{ version: string; status: string; note: string | null }>(
      `SELECT version, status, note FROM ${db}.sqlgate_history ORDER BY id`,
    );
  const columns = async () =>
    (
      await server.query<{ c: string }>(
        `SELECT CONCAT(TABLE_NAME, '.', COLUMN_NAME) AS c FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '${db}' AND TABLE_NAME <> 'sqlgate_history' ORDER BY 1`,
      )
    ).map((r) => r.c);
  return { run, history, columns, db };
}

describe('sqlgate rollback', { timeout: 60_000 }, () => {
  it('runs the down files above the version newest first, records them rolled-back with who and when, and the next deploy applies them again', async () => {
    const { run, history, columns } = await deployed();
    const rollback = await run('rollback', '--env', 'test', '--to', '1.0.0');
    expect(rollback.stdout.split('\n').at(-1)).toMatch(
      /^✓ test\/rb_\d+_\d+: rolled back with migrations\/app\/1\.0\.2_audit\.down\.sql, migrations\/app\/1\.0\.1_email\.down\.sql$/,
    );
    expect(rollback.code).toBe(0);
    expect(await columns()).toEqual(['t1.id']);
    const rows = await history();
    expect(rows.map((r) => [r.version, r.status])).toEqual([
      ['1.0.0', 'success'],
      ['1.0.1', 'rolled-back'],
      ['1.0.2', 'rolled-back'],
    ]);
    expect(rows[1]?.note).toMatch(
      /^\d{4}-\d\d-\d\dT[\d:.]+Z olivia: rolled back with migrations\/app\/1\.0\.1_email\.down\.sql$/,
    );
    const again = await run('deploy', '--env', 'test');
    expect(again.code).toBe(0);
    expect((await history()).map((r) => r.status)).toEqual(['success', 'success', 'success']);
    expect(await columns()).toEqual(['audit.id', 't1.email', 't1.id']);
  });

  it('refuses, changing nothing, when a version to roll back has no down file', async () => {
    const { run, history, columns } = await deployed({
      ...MIGRATIONS,
      'migrations/app/1.0.3_name.sql': 'ALTER TABLE t1 ADD COLUMN name VARCHAR(20);\n',
    });
    const rollback = await run('rollback', '--env', 'test', '--to', '1.0.0');
    expect(rollback.stdout).toMatch(
      /✗ test\/rb_\d+_\d+: refused: migrations\/app\/1\.0\.3_name\.sql \(version 1\.0\.3\) has no down file migrations\/app\/1\.0\.3_name\.down\.sql in the checkout; nothing was rolled back$/,
    );
    expect(rollback.code).toBe(1);
    expect((await history()).map((r) => r.status)).toEqual(['success', 'success', 'success', 'success']);
    expect(await columns()).toEqual(['audit.id', 't1.email', 't1.id', 't1.name']);
  });

  it('stops at a down file that fails, naming its statement and line', async () => {
    const { run, history } = await deployed({
      ...MIGRATIONS,
      'migrations/app/1.0.1_email.down.sql': '-- undo\nALTER TABLE t1 DROP COLUMN emial;\n',
    });
    const rollback = await run('rollback', '--env', 'test', '--to', '1.0.0');
    expect(rollback.stdout).toContain(
      "failed: migrations/app/1.0.1_email.down.sql statement 1 (line 2): ER_CANT_DROP_FIELD_OR_KEY (1091): Can't DROP COLUMN `emial`; check that it exists; migrations/app/1.0.1_email.sql is still recorded as applied, the versions above it were rolled back (ran before the failure: migrations/app/1.0.2_audit.down.sql)",
    );
    expect(rollback.code).toBe(1);
    expect((await history()).map((r) => r.status)).toEqual(['success', 'success', 'rolled-back']);
  });
});
