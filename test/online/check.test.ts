// The PR check with the databases' URLs: it estimates like `plan --estimate`, so the comment shows
// how each ALTER will run, and an ALTER the online tool cannot do fails the status.
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCheck } from '../../src/check/check.js';
import { targetsFromEnv } from '../../src/db/targets.js';
import { GitRepo } from '../../src/git/repo.js';
import { createGitHub } from '../../src/github/client.js';
import { ParserPool } from '../../src/parser/pool.js';
import { TempRepo } from '../support/git-repo.js';
import { OWNER, REPO } from '../support/github-fixtures.js';
import { stubGitHub } from '../support/github-stub.js';
import { MariaDbServer } from '../support/mariadb.js';

const pool = new ParserPool();
const repos: TempRepo[] = [];
let server: MariaDbServer;

beforeAll(async () => {
  nock.disableNetConnect();
  server = await MariaDbServer.start();
  await server.query('CREATE DATABASE test_db');
  await server.query('CREATE TABLE test_db.orders (id BIGINT NOT NULL PRIMARY KEY, v INT) ENGINE=InnoDB');
  await server.query('INSERT INTO orders SELECT seq, seq FROM seq_1_to_20000', 'test_db');
  await server.query('CREATE TABLE test_db.events (v INT, note VARCHAR(10)) ENGINE=InnoDB');
  await server.query('INSERT INTO events SELECT seq, NULL FROM seq_1_to_20000', 'test_db');
  await server.query('ANALYZE TABLE test_db.orders, test_db.events');
}, 60_000);
afterEach(() => {
  nock.cleanAll();
  for (const r of repos.splice(0)) r.cleanup();
});
afterAll(async () => {
  nock.enableNetConnect();
  await pool.close();
  await server?.stop();
});

const ENVIRONMENTS = `environments:
  - {id: test, title: Test, order: 1, rollout: automatic}
  - id: prod
    title: Prod
    order: 2
    rollout: manual
    tag: prod/*
    rolloutRoles: [workspace-owner, project-owner, dba]
    onlineSchemaChange: { when: { tableRows: { gt: 10000 } } }
databases:
  - {name: test_db, environment: test, urlEnv: TEST_DB_URL}
  - {name: test_db, environment: prod, urlEnv: PROD_DB_URL}
`;
const MIGRATION = 'migrations/test_db/1.1.0_change.sql';

async function check(sql: string) {
  const repo = new TempRepo();
  repos.push(repo);
  repo.write({
    'policies/environments.yaml': ENVIRONMENTS,
    'migrations/test_db/1.0.0_init.sql': 'SELECT 1;\n',
  });
  const base = repo.commit('init');
  repo.git('checkout', '-q', '-b', 'feature');
  repo.write({ [MIGRATION]: sql });
  const head = repo.commit('change');
  const recorded = stubGitHub({ files: [MIGRATION], reviews: [] });
  const outcome = await runCheck({
    repo: new GitRepo(repo.dir),
    github: createGitHub({ token: 'ghs_test', writeIntervalMs: 0 }),
    ref: { owner: OWNER, repo: REPO },
    pull: { number: 7, author: 'devon', baseSha: base, headSha: head, changedFiles: 1 },
    parser: pool,
    policiesDir: 'policies',
    migrationsDir: 'migrations',
    databases: targetsFromEnv({ PROD_DB_URL: `mysql://root@127.0.0.1:${server.port}/` }),
  });
  return { outcome, recorded };
}

describe('the PR check with database URLs', () => {
  it('shows the method with the live row count in the comment', async () => {
    const { outcome, recorded } = await check('ALTER TABLE orders ADD COLUMN note VARCHAR(40) NULL;\n');
    expect(outcome.ok).toBe(true);
    expect(recorded.comments[0]).toMatch(
      /online via pt-online-schema-change, ~\d{2},\d{3} rows, copy in chunks of 1000/,
    );
    expect(recorded.statuses[0]?.state).not.toBe('failure');
  }, 60_000);

  it('fails the status when the online tool cannot do the ALTER, naming the file, line and reason', async () => {
    const { recorded } = await check('ALTER TABLE events MODIFY note VARCHAR(40);\n');
    expect(recorded.statuses).toHaveLength(1);
    expect(recorded.statuses[0]?.state).toBe('failure');
    expect(recorded.statuses[0]?.description).toMatch(
      /^online schema change refused: migrations\/test_db\/1\.1\.0_change\.sql:1 \(prod\/test_db\): table events has no primary key/,
    );
  }, 60_000);
});
