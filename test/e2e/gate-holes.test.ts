// The ways around the gate that issue 9 found, each tried as an attacker would against the
// built Action (dist/index.js) with real event payloads, a GitHub-shaped API and two MariaDB
// servers. Each must be refused, and say why.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runStep } from '../support/action-runner.js';
import { cli } from '../support/cli.js';
import { pullRequestEvent, pushEvent, reviewEvent } from '../support/events.js';
import { TempRepo } from '../support/git-repo.js';
import { FakeGitHub } from '../support/github-server.js';
import { MariaDbServer } from '../support/mariadb.js';
import { columns, mergePr as merge, openPr as open } from '../support/pull-requests.js';

let testDb: MariaDbServer;
let prodDb: MariaDbServer;
let github: FakeGitHub;
let api: string;
let repo: TempRepo;

const NEW = '0'.repeat(40);
const roles = (dba: string[]) =>
  `roles:\n  - {id: workspace-owner, members: [alice]}\n  - {id: project-owner, members: [olivia]}\n  - {id: dba, members: [${dba.join(', ')}]}\n  - {id: developer, members: [devon]}\n  - {id: tester, title: Tester, members: [tom]}\n`;
const RULES =
  'rules:\n  - {title: DDL on Prod is High, source: ddl, level: high, when: {environment: prod}}\npreset: none\n';
const flows = (assigned: boolean) =>
  `flows:\n  - {id: tester-owner-dba, title: Tester → Project Owner → DBA, steps: [tester, project-owner, dba]}\nassignments:${assigned ? '\n  - {source: ddl, level: high, flow: tester-owner-dba}' : ' []'}\n`;
const environments = (testOptions = '') => `environments:
  - {id: test, title: Test, order: 1, rollout: automatic${testOptions}}
  - {id: prod, title: Prod, order: 2, rollout: manual, tag: "prod/*", rolloutRoles: [workspace-owner, project-owner, dba]}
databases:
  - {name: test_db, environment: test, urlEnv: TEST_DB_URL}
  - {name: test_db, environment: prod, urlEnv: PROD_DB_URL}
`;

beforeAll(async () => {
  [testDb, prodDb] = await Promise.all([MariaDbServer.start(), MariaDbServer.start()]);
}, 60_000);
afterAll(async () => {
  await Promise.all([testDb?.stop(), prodDb?.stop()]);
});
beforeEach(async () => {
  for (const s of [testDb, prodDb])
    await s.query('DROP DATABASE IF EXISTS test_db').then(() => s.query('CREATE DATABASE test_db'));
  github = new FakeGitHub();
  api = await github.start();
  repo = new TempRepo({ withPolicies: false });
}, 30_000);
afterEach(async () => {
  await github.stop();
  repo.cleanup();
});

const dbEnv = () => ({ TEST_DB_URL: testDb.url, PROD_DB_URL: prodDb.url });
const head = () => repo.git('rev-parse', 'HEAD');

function step(eventName: string, payload: unknown, sha: string) {
  return runStep({ eventName, payload, workspace: repo.dir, apiUrl: api, sha, env: dbEnv() });
}

/** Main's first commit: the policies, and a schema both databases already have. */
async function adopt(files: Record<string, string> = {}): Promise<string> {
  repo.write({
    'policies/roles.yaml': roles(['dana']),
    'policies/risk-rules.yaml': RULES,
    'policies/approval-flows.yaml': flows(false),
    'policies/environments.yaml': environments(),
    'migrations/test_db/1.0.0_init.sql': 'CREATE TABLE t1 (id INT PRIMARY KEY, name VARCHAR(20));\n',
    ...files,
  });
  const sha = repo.commit('Adopt sqlgate');
  for (const env of ['test', 'prod'])
    expect((await cli(['deploy', '--env', env], { cwd: repo.dir, env: dbEnv() })).code).toBe(0);
  return sha;
}

const DROP = { 'migrations/test_db/1.1.0_drop_name.sql': 'ALTER TABLE t1 DROP COLUMN name;\n' };
const EMAIL = { 'migrations/test_db/1.1.0_add_email.sql': 'ALTER TABLE t1 ADD COLUMN email VARCHAR(100);\n' };

describe('hole 1: a PR cannot choose its policies by branching from an old commit', () => {
  /** Main: C0 with no assignment, then C1 requires Tester → Project Owner → DBA for DDL × High. */
  async function branchedFromOldPolicies() {
    const c0 = await adopt();
    repo.write({ 'policies/approval-flows.yaml': flows(true) });
    repo.commit('Require approvals for DDL × High');
    return openPr(1, 'devon', DROP, c0);
  }

  it('the check judges the PR by the policies at the tip of its base branch', async () => {
    const pr = await branchedFromOldPolicies();
    const check = await step('pull_request', pullRequestEvent('opened', pr), pr.headSha);
    expect(check.outputs).toMatchObject({
      'risk-level': 'high',
      flow: 'tester-owner-dba',
      approved: 'false',
    });
    expect(github.statusesOf(pr.headSha)).toEqual(['pending: waiting for Tester (0 of 1)']);
  }, 120_000);

  it('the rollout re-verifies its PR by the policies at the base tip when it merged', async () => {
    await branchedFromOldPolicies();
    const merged = mergePr(1); // say a forged status let it merge
    expect((await cli(['deploy', '--env', 'test'], { cwd: repo.dir, env: dbEnv() })).code).toBe(0);
    repo.git('tag', 'prod/v1');
    const tag = await step('push', pushEvent('refs/tags/prod/v1', NEW, merged.after, 'dana'), merged.after);
    expect(tag.code).not.toBe(0);
    expect(tag.stdout).toContain(
      '::error::sqlgate: rollout of prod/v1 refused (approval): migrations/test_db/1.1.0_drop_name.sql: PR #1 merged without its approvals: Tester → Project Owner → DBA: waiting for Tester (0 of 1). Nothing was deployed.',
    );
    expect(await columns(prodDb)).toEqual(['id', 'name']);
  }, 120_000);
});

describe('hole 2: who may roll out comes from the default branch tip, not the tagged commit', () => {
  it('a DBA removed on main cannot roll out by tagging a commit from when he was one', async () => {
    await adopt({ 'policies/roles.yaml': roles(['dana', 'dave']) });
    openPr(1, 'devon', EMAIL);
    const merged = mergePr(1);
    expect(
      (await step('push', pushEvent('refs/heads/main', merged.before, merged.after, 'devon'), merged.after))
        .code,
    ).toBe(0);
    openPr(2, 'olivia', { 'policies/roles.yaml': roles(['dana']) });
    github.review(2, 'alice', 'APPROVED');
    const merged2 = mergePr(2);
    expect(
      (
        await step(
          'push',
          pushEvent('refs/heads/main', merged2.before, merged2.after, 'olivia'),
          merged2.after,
        )
      ).code,
    ).toBe(0);

    repo.git('tag', 'prod/x', merged.after);
    repo.git('checkout', '-q', 'refs/tags/prod/x'); // the runner checks out the tag
    const tag = await step('push', pushEvent('refs/tags/prod/x', NEW, merged.after, 'dave'), merged.after);
    expect(tag.code).not.toBe(0);
    expect(tag.stdout).toContain(
      '::error::sqlgate: rollout of prod/x refused (sender): dave pushed the tag but holds none of the rollout roles of Prod (workspace-owner, project-owner, dba). Nothing was deployed.',
    );
    expect(await columns(prodDb)).toEqual(['id', 'name']);
  }, 120_000);
});

describe('hole 3: refs are fully qualified', () => {
  it('a tag named main does not make a commit "on main"', async () => {
    await adopt();
    repo.git('checkout', '-q', '-b', 'devon-dba');
    repo.write({ 'policies/roles.yaml': roles(['dana', 'devon']) });
    const side = repo.commit('add devon to dba');
    repo.git('tag', 'main', side);
    repo.git('tag', 'prod/x', side);
    repo.git('checkout', '-q', 'refs/tags/prod/x');
    const tag = await step('push', pushEvent('refs/tags/prod/x', NEW, side, 'devon'), side);
    expect(tag.code).not.toBe(0);
    expect(tag.stdout).toContain(
      `::error::sqlgate: rollout of prod/x refused (default-branch): the tag's commit ${side.slice(0, 7)} is not on main; tag a commit of main. Nothing was deployed.`,
    );
  }, 120_000);
});

describe('hole 4: every deploy re-verifies the migrations it applies', () => {
  it('a migration pushed straight to main is refused on Test, in the log and the job summary', async () => {
    await adopt();
    const before = head();
    repo.write(EMAIL);
    const after = repo.commit('straight to main');
    const push = await step('push', pushEvent('refs/heads/main', before, after, 'alice'), after);
    expect(push.code).not.toBe(0);
    const refusal = `test/test_db: refused: migrations/test_db/1.1.0_add_email.sql was pushed to main without a merged pull request (commit ${after.slice(0, 7)})`;
    expect(push.stdout).toContain(`✗ ${refusal}`);
    expect(push.summary).toContain(`✗ ${refusal}`);
    expect(push.outputs.deployed).toBe('[]');
    expect(await columns(testDb)).toEqual(['id', 'name']);
  }, 120_000);

  it('a PR merged without its approvals (a forged status) never reaches Test', async () => {
    await adopt({ 'policies/approval-flows.yaml': flows(true) });
    openPr(1, 'devon', DROP);
    const merged = mergePr(1);
    const push = await step(
      'push',
      pushEvent('refs/heads/main', merged.before, merged.after, 'devon'),
      merged.after,
    );
    expect(push.code).not.toBe(0);
    expect(push.summary).toContain(
      '✗ test/test_db: refused: migrations/test_db/1.1.0_drop_name.sql: PR #1 merged without its approvals: Tester → Project Owner → DBA: waiting for Tester (0 of 1)',
    );
    expect(await columns(testDb)).toEqual(['id', 'name']);
  }, 120_000);

  it('an environment that opts out with verifyApprovals: false deploys without the check', async () => {
    await adopt({ 'policies/environments.yaml': environments(', verifyApprovals: false') });
    const before = head();
    repo.write(EMAIL);
    const after = repo.commit('straight to main');
    const push = await step('push', pushEvent('refs/heads/main', before, after, 'alice'), after);
    expect(push.code).toBe(0);
    expect(await columns(testDb)).toEqual(['id', 'name', 'email']);
  }, 120_000);
});

describe('the status is not the gate', () => {
  it('a PR that changes a workflow needs the policy-change flow, and the comment says why', async () => {
    await adopt();
    const pr = openPr(1, 'devon', {
      '.github/workflows/sqlgate.yml': 'on: pull_request\njobs: {}\n',
    });
    const check = await step('pull_request', pullRequestEvent('opened', pr), pr.headSha);
    expect(check.outputs).toMatchObject({ flow: 'policy-change', approved: 'false' });
    expect(github.statusesOf(pr.headSha)).toEqual(['pending: waiting for Workspace Owner (0 of 1)']);
    expect(github.commentOf(1)).toContain(
      '`.github/workflows/sqlgate.yml` decides how sqlgate runs and what its status means (a workflow can post sqlgate/approval itself), so changing it needs the policy-change flow',
    );
  }, 120_000);

  it('an approval of a workflow change goes stale when the workflow changes again', async () => {
    await adopt();
    const pr = openPr(1, 'devon', { '.github/workflows/sqlgate.yml': 'on: pull_request\njobs: {}\n' });
    github.review(1, 'alice', 'APPROVED');
    await step('pull_request_review', reviewEvent('submitted', pr, 'alice', 'APPROVED'), pr.headSha);
    expect(github.statusesOf(pr.headSha)).toEqual(['success: risk none: approved by alice']);
    repo.write({ '.github/workflows/sqlgate.yml': 'on: pull_request\njobs: {post-success: {}}\n' });
    const pushed = { ...pr, headSha: repo.commit('post the status myself') };
    (github.prs.get(1) as { headSha: string }).headSha = pushed.headSha;
    await step('pull_request', pullRequestEvent('synchronize', pushed), pushed.headSha);
    expect(github.statusesOf(pushed.headSha)).toEqual(['pending: waiting for Workspace Owner (0 of 1)']);
  }, 120_000);
});

describe('a refused rollout explains itself', () => {
  it('writes the refusal and each check that held to the job summary', async () => {
    const main = await adopt();
    repo.git('tag', 'prod/v1', main);
    const tag = await step('push', pushEvent('refs/tags/prod/v1', NEW, main, 'devon'), main);
    expect(tag.code).not.toBe(0);
    expect(tag.summary).toContain(
      [
        `✓ commit ${main.slice(0, 7)} is on main`,
        '✗ rollout of prod/v1 refused (sender): devon pushed the tag but holds none of the rollout roles of Prod (workspace-owner, project-owner, dba). Nothing was deployed.',
      ].join('\n'),
    );
  }, 120_000);

  it('names the team it could not read and the permission the token lacks', async () => {
    const main = await adopt({ 'policies/roles.yaml': roles(['acme/dba-team']) });
    repo.git('tag', 'prod/v1', main);
    const tag = await step('push', pushEvent('refs/tags/prod/v1', NEW, main, 'dana'), main);
    expect(tag.code).not.toBe(0);
    expect(tag.stdout).toContain(
      '::error::sqlgate: rollout of prod/v1 refused (sender): dana pushed the tag but holds none of the rollout roles of Prod (workspace-owner, project-owner, dba); cannot read team acme/dba-team (HTTP 404): the token needs organization "Members: read" permission',
    );
  }, 120_000);
});

function openPr(number: number, author: string, files: Record<string, string>, from?: string) {
  return open(repo, github, { number, author, files, ...(from ? { from } : {}) });
}

function mergePr(number: number) {
  return merge(repo, github, number);
}
