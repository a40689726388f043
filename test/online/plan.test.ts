// `plan` shows how each ALTER will run (online, rows, chunks) so approvers approve the method,
// and refuses what the online tool cannot do before anyone approves it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedParser } from '../../src/parser/pool.js';
import { cli } from '../support/cli.js';
import { TempRepo } from '../support/git-repo.js';
import { MariaDbServer } from '../support/mariadb.js';

let server: MariaDbServer;
beforeAll(async () => {
  server = await MariaDbServer.start();
  await server.query('CREATE DATABASE shop');
  await server.query('CREATE TABLE shop.orders (id BIGINT NOT NULL PRIMARY KEY, v INT) ENGINE=InnoDB');
  await server.query('INSERT INTO orders SELECT seq, seq FROM seq_1_to_20000', 'shop');
  await server.query('CREATE TABLE shop.small (id INT PRIMARY KEY, v INT) ENGINE=InnoDB');
  await server.query('CREATE TABLE shop.events (v INT, note VARCHAR(10)) ENGINE=InnoDB');
  await server.query('INSERT INTO events SELECT seq, NULL FROM seq_1_to_20000', 'shop');
  await server.query('ANALYZE TABLE shop.orders, shop.events, shop.small');
}, 60_000);
afterAll(async () => {
  await server?.stop();
  await sharedParser().close();
});

const ENVIRONMENTS = `# yaml-language-server: $schema=../schemas/environments.schema.json
environments:
  - id: prod
    title: Prod
    order: 1
    rollout: automatic
    onlineSchemaChange:
      when: { tableRows: { gt: 10000 } }
databases:
  - { name: shop, environment: prod, urlEnv: SHOP_URL }
`;

function repoWith(sql: string): TempRepo {
  const repo = new TempRepo();
  repo.write({
    'policies/environments.yaml': ENVIRONMENTS,
    'policies/risk-rules.yaml': 'preset: bytebase\n',
    'migrations/shop/V1__base.sql': 'SELECT 1;\n',
  });
  repo.commit('base');
  repo.git('checkout', '-q', '-b', 'feature');
  repo.write({ 'migrations/shop/V2__change.sql': sql });
  repo.commit('change');
  return repo;
}

describe('plan shows how each ALTER runs', () => {
  it('with --estimate: online for the big table with its row count and chunk size, inline for the small one', async () => {
    const repo = repoWith(
      'ALTER TABLE orders ADD COLUMN note VARCHAR(40) NULL;\nALTER TABLE small ADD COLUMN note VARCHAR(40) NULL;\n',
    );
    try {
      const text = await cli(['plan', '--estimate'], { cwd: repo.dir, env: { SHOP_URL: server.url } });
      expect(text.code).toBe(0);
      expect(text.stdout).toMatch(
        /1:1 +ALTER_TABLE .*\n +runs online via pt-online-schema-change, ~\d+,\d{3} rows, copy in chunks of 1000\n/,
      );
      expect(text.stdout).toMatch(/2:1 +ALTER_TABLE .*\n +runs inline \(~0 rows\)\n/);

      const json = JSON.parse(
        (
          await cli(['plan', '--estimate', '--format', 'json'], {
            cwd: repo.dir,
            env: { SHOP_URL: server.url },
          })
        ).stdout,
      );
      const [big, small] = json.tasks[0].statements;
      expect(big.execution).toEqual([
        {
          database: 'shop',
          method: 'online',
          tool: 'pt-online-schema-change',
          rows: expect.any(Number),
          chunkSize: 1000,
          maxLoad: 'Threads_running=25',
          criticalLoad: 'Threads_running=50',
          foreignKeys: null,
          preserveTriggers: false,
          decidedAtDeploy: false,
          refused: null,
          description: expect.stringMatching(
            /^online via pt-online-schema-change, ~\d+,\d{3} rows, copy in chunks of 1000$/,
          ),
        },
      ]);
      expect(small.execution[0]).toMatchObject({
        method: 'inline',
        tool: null,
        description: 'inline (~0 rows)',
      });

      const markdown = await cli(['plan', '--estimate', '--format', 'markdown'], {
        cwd: repo.dir,
        env: { SHOP_URL: server.url },
      });
      expect(markdown.stdout).toMatch(
        /### How the ALTERs run\n\n- `migrations\/shop\/V2__change.sql:1` \(Prod\): online via pt-online-schema-change, ~\d+,\d{3} rows, copy in chunks of 1000\n/,
      );
    } finally {
      repo.cleanup();
    }
  }, 60_000);

  it('without a URL the row count is unknown: the plan says online and that deploy decides again', async () => {
    const repo = repoWith('ALTER TABLE orders ADD COLUMN note VARCHAR(40) NULL;\n');
    try {
      const run = await cli(['plan'], { cwd: repo.dir, env: {} });
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(
        'runs online via pt-online-schema-change, row count unknown, copy in chunks of 1000; decided again at deploy from the live table',
      );
    } finally {
      repo.cleanup();
    }
  }, 60_000);

  it('refuses an ALTER on a table without a primary or unique key, and RENAME in an ALTER, with exit 1', async () => {
    const repo = repoWith(
      'ALTER TABLE events ADD COLUMN at DATETIME NULL;\nALTER TABLE orders ADD COLUMN x INT NULL, RENAME TO orders_v2;\n',
    );
    try {
      const run = await cli(['plan', '--estimate'], { cwd: repo.dir, env: { SHOP_URL: server.url } });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(
        'refused: migrations/shop/V2__change.sql:1 (prod/shop): table events has no primary key or unique key on NOT NULL columns; pt-online-schema-change needs one',
      );
      expect(run.stderr).toContain(
        'refused: migrations/shop/V2__change.sql:2 (prod/shop): pt-online-schema-change cannot rename the table (RENAME in the ALTER)',
      );
      expect(run.stdout).toContain('runs refused: table events has no primary key');
    } finally {
      repo.cleanup();
    }
  }, 60_000);
});
