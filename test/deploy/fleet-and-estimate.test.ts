import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../support/cli.js';
import { TempRepo } from '../support/git-repo.js';
import { MariaDbServer } from '../support/mariadb.js';

let server: MariaDbServer;
beforeAll(async () => {
  server = await MariaDbServer.start();
}, 60_000);
afterAll(async () => {
  await server?.stop();
});

describe('a fleet of tenant databases', () => {
  it('deploys one shard of the fleet with bounded concurrency, creating the databases, and shows their history', async () => {
    const repo = new TempRepo();
    const tenants = Array.from({ length: 6 }, (_, i) => `tenant_${i}`);
    repo.write({
      'policies/environments.yaml': `environments:\n  - {id: tenants, title: Tenants, order: 1, rollout: automatic}\ndatabases:\n${tenants.map((t) => `  - {name: ${t}, environment: tenants, urlEnv: FLEET_URL, migrations: tenant, create: true}`).join('\n')}\n`,
      'policies/risk-rules.yaml': 'unparsedLevel: high\n',
      'migrations/tenant/V1__init.sql':
        'CREATE TABLE accounts (id INT PRIMARY KEY);\nINSERT INTO accounts VALUES (1);',
    });
    try {
      const run = await cli(['deploy', '--env', 'tenants', '--shard', '1/2', '--concurrency', '3'], {
        cwd: repo.dir,
        env: { FLEET_URL: server.url },
      });
      expect(run.code).toBe(0);
      expect(run.stdout.split('\n').filter((l) => l.startsWith('✓'))).toEqual([
        '✓ tenants/tenant_0: applied migrations/tenant/V1__init.sql (2 statements)',
        '✓ tenants/tenant_2: applied migrations/tenant/V1__init.sql (2 statements)',
        '✓ tenants/tenant_4: applied migrations/tenant/V1__init.sql (2 statements)',
      ]);
      const schemas = await server.query<{ s: string }>(
        "SELECT SCHEMA_NAME AS s FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE 'tenant\\_%' ORDER BY 1",
      );
      expect(schemas.map((r) => r.s)).toEqual(['tenant_0', 'tenant_2', 'tenant_4']);

      const status = await cli(['status', '--env', 'tenants', '--database', 'tenant_2'], {
        cwd: repo.dir,
        env: { FLEET_URL: server.url },
      });
      expect(status.code).toBe(0);
      const lines = status.stdout.split('\n');
      expect(lines[0]).toBe(`tenants/tenant_2 (mysql://root:***@127.0.0.1:${server.port}/)`);
      expect(lines[1]).toMatch(/^ {2}version +file +status +statements +applied by/);
      expect(lines[2]).toMatch(/^ {2}V1 +migrations\/tenant\/V1__init\.sql +success +2\/2 /);

      const bad = await cli(['deploy', '--env', 'tenants', '--shard', '3/2'], {
        cwd: repo.dir,
        env: { FLEET_URL: server.url },
      });
      expect(bad).toMatchObject({
        code: 2,
        stderr: 'sqlgate: --shard must be i/n with 1 ≤ i ≤ n (e.g. 2/4), not "3/2"',
      });
    } finally {
      repo.cleanup();
    }
  }, 60_000);
});

describe('plan --estimate', () => {
  it('reads tableRows and affectedRows from the live database; without it they are unknown and rules hold', async () => {
    await server.query('CREATE DATABASE est_db');
    await server.query('CREATE TABLE est_db.orders (id INT PRIMARY KEY, state VARCHAR(10))');
    await server.query(
      `INSERT INTO est_db.orders VALUES ${Array.from({ length: 50 }, (_, i) => `(${i}, 'open')`).join(',')}`,
    );
    await server.query('ANALYZE TABLE est_db.orders');
    const repo = new TempRepo();
    repo.write({
      'policies/environments.yaml':
        'environments:\n  - {id: test, order: 1, rollout: automatic}\ndatabases:\n  - {name: est_db, environment: test, urlEnv: EST_URL}\n',
      'policies/risk-rules.yaml':
        'rules:\n  - {title: Wide update, source: dml, level: high, when: {affectedRows: {gt: 1000}}}\n  - {title: Any update, source: dml, level: low, when: {statementType: UPDATE}}\npreset: none\n',
      'migrations/est_db/V1__base.sql': 'SELECT 1;',
    });
    repo.commit('base');
    repo.git('checkout', '-q', '-b', 'feature');
    repo.write({ 'migrations/est_db/V2__close.sql': "UPDATE orders SET state = 'closed' WHERE id < 10;" });
    repo.commit('close orders');
    try {
      const run = await cli(['plan', '--format', 'json'], { cwd: repo.dir, env: {} });
      expect(run.stderr).toBe('');
      const blind = JSON.parse(run.stdout);
      expect(blind.tasks[0].statements[0]).toMatchObject({
        level: 'high',
        rules: [{ title: 'Wide update', unknownFacts: ['affectedRows'] }, { title: 'Any update' }],
      });
      const measured = await cli(['plan', '--format', 'json', '--estimate'], {
        cwd: repo.dir,
        env: { EST_URL: server.url },
      });
      const json = JSON.parse(measured.stdout);
      expect(json.tasks[0].statements[0]).toMatchObject({
        level: 'low',
        rules: [{ title: 'Any update', unknownFacts: [] }],
      });
    } finally {
      repo.cleanup();
    }
  }, 60_000);
});
