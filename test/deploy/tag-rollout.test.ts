import nock from 'nock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { targetsFromEnv } from '../../src/db/targets.js';
import { deployEnvironment } from '../../src/deploy/fleet.js';
import { readPolicyDir } from '../../src/files/policy-dir.js';
import { GitRepo } from '../../src/git/repo.js';
import { createGitHub } from '../../src/github/client.js';
import { ParserPool } from '../../src/parser/pool.js';
import { loadPolicies } from '../../src/policy/load.js';
import type { Policy } from '../../src/policy/types.js';
import { checkTagRollout } from '../../src/rollout/gate.js';
import { approvalVerifier } from '../../src/rollout/merged-pr.js';
import { TempRepo } from '../support/git-repo.js';
import { OWNER, prCommit, pullRequest, REPO, review } from '../support/github-fixtures.js';
import { MariaDbServer } from '../support/mariadb.js';

let testDb: MariaDbServer;
let prodDb: MariaDbServer;
const pool = new ParserPool();

beforeAll(async () => {
  [testDb, prodDb] = await Promise.all([MariaDbServer.start(), MariaDbServer.start()]);
  nock.disableNetConnect();
}, 60_000);
afterAll(async () => {
  nock.enableNetConnect();
  await Promise.all([testDb?.stop(), prodDb?.stop(), pool.close()]);
});

let repo: TempRepo;
let policy: Policy;
let env: Record<string, string>;
let base: string;
let head: string;
let merge: string;
let adding: string;

beforeEach(async () => {
  for (const s of [testDb, prodDb])
    await s.query('DROP DATABASE IF EXISTS test_db').then(() => s.query('CREATE DATABASE test_db'));
  env = { TEST_DB_URL: testDb.url, PROD_DB_URL: prodDb.url };
  repo = new TempRepo();
  repo.write({
    'migrations/test_db/1.0.0_init.sql': 'CREATE TABLE t1 (id INT PRIMARY KEY, name VARCHAR(20));\n',
  });
  base = repo.commit('init');
  const loaded = loadPolicies(readPolicyDir(`${repo.dir}/policies`));
  if (!loaded.ok) throw new Error('seed policies');
  policy = loaded.policy;
  // The initial schema was in place before sqlgate: both environments have it.
  for (const environment of ['test', 'prod']) {
    await deployEnvironment({ ...deployArgs(), environment });
  }
  repo.git('checkout', '-q', '-b', 'feature');
  repo.write({ 'migrations/test_db/1.1.0_add_email.sql': 'ALTER TABLE t1 ADD COLUMN email VARCHAR(100);\n' });
  head = repo.commit('add email');
  adding = head;
  repo.git('checkout', '-q', 'main');
  repo.git('merge', '-q', '--no-ff', '-m', 'Merge pull request #7', 'feature');
  merge = repo.git('rev-parse', 'HEAD');
});
afterEach(() => {
  nock.cleanAll();
  repo.cleanup();
});

function deployArgs() {
  return {
    policy,
    environment: 'test',
    root: repo.dir,
    migrationsDir: 'migrations',
    targets: targetsFromEnv(env),
    concurrency: 1,
    dryRun: false,
    lockTimeoutSeconds: 5,
    appliedBy: 'ci',
    gitSha: null,
    log: () => {},
  };
}

const at = (m: number) => `2026-11-25T10:${String(m).padStart(2, '0')}:00Z`;

function stubPr(options: { approvals?: string[]; pr?: boolean } = {}) {
  const api = nock('https://api.github.com').persist();
  api.get(`/repos/${OWNER}/${REPO}/commits/${adding}/pulls`).reply(
    200,
    options.pr === false
      ? []
      : [
          pullRequest({
            number: 7,
            author: 'devon',
            baseSha: base,
            headSha: head,
            mergedAt: at(30),
            mergeCommitSha: merge,
          }),
        ],
  );
  api
    .get(`/repos/${OWNER}/${REPO}/pulls/7/commits`)
    .query(true)
    .reply(200, [prCommit(head, 'devon', 'devon')]);
  const approvals = options.approvals ?? ['tom', 'olivia', 'dana'];
  api
    .get(`/repos/${OWNER}/${REPO}/pulls/7/reviews`)
    .query(true)
    .reply(
      200,
      approvals.map((who, i) => review(who, 'APPROVED', at(i + 1), head)),
    );
}

async function gate(tag: string, sender: string, commit = merge) {
  const git = new GitRepo(repo.dir);
  return checkTagRollout({
    policy,
    tag,
    tagCommit: commit,
    onDefaultBranch: await git.isAncestor(commit, 'main'),
    defaultBranch: 'main',
    sender,
    teams: new Map(),
    root: repo.dir,
    migrationsDir: 'migrations',
    targets: targetsFromEnv(env),
    verify: approvalVerifier({
      repo: git,
      github: createGitHub({ token: 'ghs_test', writeIntervalMs: 0 }),
      ref: { owner: OWNER, repo: REPO },
      parser: pool,
      policiesDir: 'policies',
      migrationsDir: 'migrations',
      defaultBranch: 'main',
    }),
  });
}

describe('rollout to Prod by tag', () => {
  it('lets an owner or DBA roll out an approved, merged migration that Test already has', async () => {
    stubPr();
    await deployEnvironment(deployArgs());
    const result = await gate('prod/v1', 'dana');
    expect(result).toMatchObject({ ok: true, environment: { id: 'prod' } });
    expect(result.checks).toEqual([
      `commit ${merge.slice(0, 7)} is on main`,
      'dana holds dba',
      'migrations/test_db/1.1.0_add_email.sql: PR #7 was approved (Tester → Project Owner → DBA)',
      'Test already has every pending migration',
    ]);
  });

  it('refuses a sender who holds no rollout role, whatever the tag says', async () => {
    stubPr();
    await deployEnvironment(deployArgs());
    expect(await gate('prod/v1', 'devon')).toMatchObject({
      ok: false,
      condition: 'sender',
      reason:
        'devon pushed the tag but holds none of the rollout roles of Prod (workspace-owner, project-owner, dba)',
    });
  });

  it('refuses a tag on a commit that is not on the default branch', async () => {
    stubPr();
    repo.git('checkout', '-q', '-b', 'side');
    repo.write({ 'notes.txt': 'x' });
    const side = repo.commit('side work');
    expect(await gate('prod/v2', 'dana', side)).toMatchObject({
      ok: false,
      condition: 'default-branch',
      reason: `the tag's commit ${side.slice(0, 7)} is not on main; tag a commit of main`,
    });
  });

  it('refuses a migration whose PR merged without its approvals', async () => {
    stubPr({ approvals: ['tom', 'dana'] });
    await deployEnvironment(deployArgs());
    expect(await gate('prod/v1', 'dana')).toMatchObject({
      ok: false,
      condition: 'approval',
      reason:
        'migrations/test_db/1.1.0_add_email.sql: PR #7 merged without its approvals: Tester → Project Owner → DBA: waiting for Project Owner (0 of 1)',
    });
  });

  it('refuses a migration pushed to main without a pull request', async () => {
    stubPr({ pr: false });
    await deployEnvironment(deployArgs());
    expect(await gate('prod/v1', 'dana')).toMatchObject({
      ok: false,
      condition: 'approval',
      reason: `migrations/test_db/1.1.0_add_email.sql was pushed to main without a merged pull request (commit ${adding.slice(0, 7)})`,
    });
  });

  it('refuses Prod before Test has the migration', async () => {
    stubPr();
    expect(await gate('prod/v1', 'olivia')).toMatchObject({
      ok: false,
      condition: 'order',
      reason:
        'Test (test_db) does not have migrations/test_db/1.1.0_add_email.sql yet; Test comes first in rollout order',
    });
    // Refused means nothing ran on Prod.
    expect(
      await prodDb.query(
        "SELECT COUNT(*) AS n FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = 'test_db' AND COLUMN_NAME = 'email'",
      ),
    ).toEqual([{ n: 0 }]);
  });

  it("refuses when Test's URL is not in the Prod job, and says where the secret must live", async () => {
    stubPr();
    delete env.TEST_DB_URL;
    expect(await gate('prod/v1', 'olivia')).toMatchObject({
      ok: false,
      condition: 'order',
      reason:
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a workflow expression, quoted for the user
        "cannot verify that Test has the migrations: TEST_DB_URL is not set in this job. The Prod rollout reads Test's history table to check rollout order, so give this job TEST_DB_URL too (env: TEST_DB_URL: ${{ secrets.TEST_DB_URL }}), stored as a repository secret or a secret of the prod environment: a secret of the test environment alone is not visible here (see README.md#secrets)",
    });
  });

  it('says when a tag matches no manual environment', async () => {
    expect(await gate('release-1', 'dana')).toMatchObject({
      ok: false,
      condition: 'tag',
      reason: "tag release-1 matches no manual environment's tag pattern (prod: prod/*)",
    });
  });
});
