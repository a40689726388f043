// backupDml: the rows an UPDATE or DELETE touches are copied into sqlgate_backup before it runs,
// in its transaction, and `sqlgate rollback` puts them back.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../support/cli.js';
import { makeWorkdir, removeWorkdirs, write } from '../support/deploy-workdir.js';
import { MariaDbServer } from '../support/mariadb.js';

let server: MariaDbServer;
beforeAll(async () => {
  server = await MariaDbServer.start({ durable: false });
}, 60_000);
afterAll(async () => {
  await server?.stop();
});
afterEach(() => removeWorkdirs());

const INIT = {
  'migrations/app/1.0.0_init.sql': `CREATE TABLE customers (id INT PRIMARY KEY, name VARCHAR(20), tier VARCHAR(10));
INSERT INTO customers VALUES (1, 'ann', 'basic'), (2, 'bob', 'basic'), (3, 'cy', 'basic'), (4, 'di', 'basic'), (5, 'ed', 'basic');
CREATE TABLE events (seq INT, note VARCHAR(20));
INSERT INTO events VALUES (1, 'a'), (2, 'b');
`,
};

async function workdir(migrations: Record<string, string>) {
  const w = await makeWorkdir(server, { ...INIT, ...migrations }, { prefix: 'bk' });
  write(w.dir, { 'policies/risk-rules.yaml': 'backupDml: high\nrules: []\n' });
  const run = (...args: string[]) => cli(args, { cwd: w.dir, env: { ...w.env, USER: 'olivia' } });
  const customers = () => server.query(`SELECT id, tier FROM ${w.db}.customers ORDER BY id`);
  const statuses = async () =>
    (await server.query<{ status: string }>(`SELECT status FROM ${w.db}.sqlgate_history ORDER BY id`)).map(
      (r) => r.status,
    );
  const catalog = () =>
    server.query(
      `SELECT version_key, statement, kind, source_table, backup_table, keyed, row_count, restored_at IS NOT NULL AS restored
         FROM sqlgate_backup.sqlgate_backups WHERE database_name = '${w.db}' ORDER BY id`,
    );
  return { ...w, run, customers, statuses, catalog };
}

const ORIGINAL = [1, 2, 3, 4, 5].map((id) => ({ id, tier: 'basic' }));

describe('DML backups (backupDml)', { timeout: 60_000 }, () => {
  it('copies the rows each UPDATE and DELETE touches before it runs, and rollback puts them back', async () => {
    const w = await workdir({
      'migrations/app/1.0.1_cleanup.sql':
        "UPDATE customers SET tier = 'gold' WHERE id <= 2;\nDELETE FROM customers WHERE id >= 4;\n",
    });
    expect((await w.run('deploy', '--env', 'test')).code).toBe(0);
    expect(await w.customers()).toEqual([
      { id: 1, tier: 'gold' },
      { id: 2, tier: 'gold' },
      { id: 3, tier: 'basic' },
    ]);
    expect(await w.catalog()).toEqual([
      {
        version_key: '1.0.1',
        statement: 1,
        kind: 'UPDATE',
        source_table: 'customers',
        backup_table: `${w.db}__customers_1_0_1_1`,
        keyed: 1,
        row_count: 2,
        restored: 0,
      },
      {
        version_key: '1.0.1',
        statement: 2,
        kind: 'DELETE',
        source_table: 'customers',
        backup_table: `${w.db}__customers_1_0_1_2`,
        keyed: 1,
        row_count: 2,
        restored: 0,
      },
    ]);
    // The copies hold the rows as they were just before each statement.
    expect(
      await server.query(`SELECT id, tier FROM sqlgate_backup.${w.db}__customers_1_0_1_1 ORDER BY id`),
    ).toEqual([
      { id: 1, tier: 'basic' },
      { id: 2, tier: 'basic' },
    ]);

    // No down file: every statement has a backup, so restoring them is the rollback.
    const rollback = await w.run('rollback', '--env', 'test', '--to', '1.0.0');
    expect(rollback.stdout.split('\n').at(-1)).toBe(
      `✓ test/${w.db}: rolled back with restored 4 rows of migrations/app/1.0.1_cleanup.sql from sqlgate_backup.${w.db}__customers_1_0_1_1, sqlgate_backup.${w.db}__customers_1_0_1_2`,
    );
    expect(rollback.code).toBe(0);
    expect(await w.customers()).toEqual(ORIGINAL);
    expect(await w.statuses()).toEqual(['success', 'rolled-back']);
    expect((await w.catalog()).map((r) => (r as { restored: number }).restored)).toEqual([1, 1]);

    // Applied again, it is backed up again, and the newest copies are what the next rollback restores.
    expect((await w.run('deploy', '--env', 'test')).code).toBe(0);
    expect(await w.customers()).toHaveLength(3);
    expect((await w.run('rollback', '--env', 'test', '--to', '1.0.0')).code).toBe(0);
    expect(await w.customers()).toEqual(ORIGINAL);
  });

  it('backs up and restores the stored columns of a table with generated ones', async () => {
    const w = await workdir({
      'migrations/app/1.0.1_prices.sql':
        'CREATE TABLE prices (id INT PRIMARY KEY, net INT, gross INT AS (net * 2) STORED, label VARCHAR(20) AS (CONCAT(id, net)) VIRTUAL);\nINSERT INTO prices (id, net) VALUES (1, 10), (2, 20);\n',
      'migrations/app/1.0.2_discount.sql': 'UPDATE prices SET net = net - 5 WHERE id = 2;\n',
    });
    expect((await w.run('deploy', '--env', 'test')).code).toBe(0);
    const prices = () => server.query(`SELECT id, net, gross, label FROM ${w.db}.prices ORDER BY id`);
    expect((await prices())[1]).toEqual({ id: 2, net: 15, gross: 30, label: '215' });
    expect((await w.run('rollback', '--env', 'test', '--to', '1.0.1')).code).toBe(0);
    expect(await prices()).toEqual([
      { id: 1, net: 10, gross: 20, label: '110' },
      { id: 2, net: 20, gross: 40, label: '220' },
    ]);
  });

  it('restores the rows first, then runs the down file', async () => {
    const w = await workdir({
      'migrations/app/1.0.1_vip.sql':
        "ALTER TABLE customers ADD COLUMN vip TINYINT NOT NULL DEFAULT 0;\nUPDATE customers SET vip = 1, tier = 'vip' WHERE id = 3;\n",
      'migrations/app/1.0.1_vip.down.sql': 'ALTER TABLE customers DROP COLUMN vip;\n',
    });
    expect((await w.run('deploy', '--env', 'test')).code).toBe(0);
    const rollback = await w.run('rollback', '--env', 'test', '--to', '1.0.0');
    expect(rollback.stdout).toContain(
      `rolled back with restored 1 row of migrations/app/1.0.1_vip.sql from sqlgate_backup.${w.db}__customers_1_0_1_2, migrations/app/1.0.1_vip.down.sql`,
    );
    expect(await w.customers()).toEqual(ORIGINAL);
  });

  it('refuses, changing nothing, a version without a down file whose statements are not all backed up', async () => {
    const w = await workdir({
      'migrations/app/1.0.1_mixed.sql':
        "DELETE FROM customers WHERE id = 5;\nINSERT INTO customers VALUES (6, 'flo', 'basic');\n",
    });
    expect((await w.run('deploy', '--env', 'test')).code).toBe(0);
    const rollback = await w.run('rollback', '--env', 'test', '--to', '1.0.0');
    expect(rollback.code).toBe(1);
    expect(rollback.stdout).toContain(
      'refused: migrations/app/1.0.1_mixed.sql (version 1.0.1) has no down file migrations/app/1.0.1_mixed.down.sql in the checkout, and only 1 of its 2 statements have a backup; nothing was rolled back',
    );
    expect(await w.statuses()).toEqual(['success', 'success']);
    expect((await w.customers()).map((r) => (r as { id: number }).id)).toEqual([1, 2, 3, 4, 6]);
  });

  it('refuses to restore an UPDATE of a table without a primary or unique key', async () => {
    const w = await workdir({
      'migrations/app/1.0.1_notes.sql': "UPDATE events SET note = 'x' WHERE seq = 1;\n",
    });
    expect((await w.run('deploy', '--env', 'test')).code).toBe(0);
    const rollback = await w.run('rollback', '--env', 'test', '--to', '1.0.0');
    expect(rollback.code).toBe(1);
    expect(rollback.stdout).toContain(
      `refused: migrations/app/1.0.1_notes.sql: the rows its statement 1 updated in events cannot be put back (backup sqlgate_backup.${w.db}__events_1_0_1_1): the table has no primary or unique key; nothing was rolled back`,
    );
  });

  it('keeps the backup and the statement in one transaction: a statement that fails leaves no backup recorded', async () => {
    const w = await workdir({
      'migrations/app/1.0.1_bad.sql':
        'DELETE FROM customers WHERE id = 1;\nUPDATE customers SET nope = 1 WHERE id = 2;\n',
    });
    const deploy = await w.run('deploy', '--env', 'test');
    expect(deploy.code).toBe(1);
    expect(`${deploy.stdout}\n${deploy.stderr}`).toContain("Unknown column 'nope'");
    expect((await w.catalog()).map((r) => (r as { statement: number }).statement)).toEqual([1]);
    expect(await server.query(`SELECT COUNT(*) AS n FROM sqlgate_backup.${w.db}__customers_1_0_1_2`)).toEqual(
      [{ n: 0 }],
    );
    expect((await w.customers()).map((r) => (r as { id: number }).id)).toEqual([2, 3, 4, 5]);
  });
});
