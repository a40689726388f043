// The seed scenario of DESIGN.md, all five steps, as GitHub would run it: the bundled Action in
// a child process per event, a real git repository, a local GitHub API, and two throwaway
// MariaDB servers for Test and Prod.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

const ENVIRONMENTS = `environments:
  - {id: test, title: Test, order: 1, rollout: automatic}
  - {id: prod, title: Prod, order: 2, rollout: manual, tag: "prod/*", rolloutRoles: [workspace-owner, project-owner, dba]}
databases:
  - {name: test_db, environment: test, urlEnv: TEST_DB_URL}
  - {name: test_db, environment: prod, urlEnv: PROD_DB_URL}
`;

beforeAll(async () => {
  [testDb, prodDb] = await Promise.all([MariaDbServer.start(), MariaDbServer.start()]);
  for (const s of [testDb, prodDb]) await s.query('CREATE DATABASE test_db');
  github = new FakeGitHub();
  api = await github.start();
  repo = new TempRepo({ withPolicies: false });
}, 60_000);
afterAll(async () => {
  await Promise.all([testDb?.stop(), prodDb?.stop(), github?.stop()]);
  repo?.cleanup();
});

const dbEnv = () => ({ TEST_DB_URL: testDb.url, PROD_DB_URL: prodDb.url });

function step(eventName: string, payload: unknown, sha: string, inputs: Record<string, string> = {}) {
  return runStep({ eventName, payload, workspace: repo.dir, apiUrl: api, sha, env: dbEnv(), inputs });
}

describe('the seed scenario, end to end through dist/index.js', () => {
  it('runs steps 1 to 5', async () => {
    // Step 1: two MySQL-compatible instances, Test and Prod, each with test_db, and a repository
    // whose schema both already have. Step 2's policies: no custom approval.
    repo.write({
      'policies/roles.yaml':
        'roles:\n  - {id: workspace-owner, members: [alice]}\n  - {id: project-owner, members: [olivia]}\n  - {id: dba, members: [dana]}\n  - {id: developer, members: [devon]}\n',
      'policies/environments.yaml': ENVIRONMENTS,
      'migrations/test_db/1.0.0_init.sql': 'CREATE TABLE t1 (id INT PRIMARY KEY, name VARCHAR(20));\n',
    });
    repo.commit('Adopt sqlgate');
    for (const env of ['test', 'prod'])
      expect((await cli(['deploy', '--env', env], { cwd: repo.dir, env: dbEnv() })).code).toBe(0);

    // Step 2: a schema change needs no approval; merge rolls it out to Test; Prod waits for a tag.
    const pr1 = openPr(1, 'devon', {
      'migrations/test_db/1.1.0_add_email.sql': 'ALTER TABLE t1 ADD COLUMN email VARCHAR(100);\n',
    });
    const check1 = await step('pull_request', pullRequestEvent('opened', pr1), pr1.headSha);
    expect(check1.code).toBe(0);
    expect(github.statusesOf(pr1.headSha)).toEqual(['success: risk moderate: no approval needed']);
    expect(check1.outputs).toMatchObject({ 'risk-level': 'moderate', flow: '', approved: 'true' });
    const merged1 = mergePr(1);
    const push1 = await step(
      'push',
      pushEvent('refs/heads/main', merged1.before, merged1.after, 'devon'),
      merged1.after,
    );
    expect(push1.code).toBe(0);
    expect(JSON.parse(push1.outputs.deployed as string)).toEqual([
      { environment: 'test', database: 'test_db', files: ['migrations/test_db/1.1.0_add_email.sql'] },
    ]);
    expect(await columns(testDb)).toEqual(['id', 'name', 'email']);
    expect(await columns(prodDb)).toEqual(['id', 'name']);
    repo.git('tag', 'prod/v1');
    const tag1 = await step(
      'push',
      pushEvent('refs/tags/prod/v1', '0'.repeat(40), merged1.after, 'dana'),
      merged1.after,
    );
    expect(tag1.code).toBe(0);
    expect(await columns(prodDb)).toEqual(['id', 'name', 'email']);

    // Step 3: "DDL on Prod is High" and DDL × High → Project Owner → DBA. Changing policies/
    // needs a workspace owner; the change is judged by the old policies.
    const pr2 = openPr(2, 'olivia', {
      'policies/risk-rules.yaml':
        'rules:\n  - {title: DDL on Prod is High, source: ddl, level: high, when: {environment: prod}}\npreset: none\n',
      'policies/approval-flows.yaml':
        'flows:\n  - {id: owner-then-dba, title: Project Owner → DBA, steps: [project-owner, dba]}\nassignments:\n  - {source: ddl, level: high, flow: owner-then-dba}\n',
    });
    await step('pull_request', pullRequestEvent('opened', pr2), pr2.headSha);
    expect(github.statusesOf(pr2.headSha)).toEqual(['pending: waiting for Workspace Owner (0 of 1)']);
    expect(github.commentOf(2)).toContain(
      'rule \'DDL on Prod is High\' added: ddl high when environment "prod"',
    );
    github.review(2, 'alice', 'APPROVED');
    await step('pull_request_review', reviewEvent('submitted', pr2, 'alice', 'APPROVED'), pr2.headSha);
    expect(github.statusesOf(pr2.headSha).at(-1)).toBe('success: risk none: approved by alice');
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

    const pr3 = openPr(3, 'devon', {
      'migrations/test_db/1.2.0_add_phone.sql': 'ALTER TABLE t1 ADD COLUMN phone VARCHAR(20);\n',
    });
    const check3 = await step('pull_request', pullRequestEvent('opened', pr3), pr3.headSha);
    expect(check3.outputs).toMatchObject({ 'risk-level': 'high', flow: 'owner-then-dba', approved: 'false' });
    expect(github.statusesOf(pr3.headSha)).toEqual(['pending: waiting for Project Owner (0 of 1)']);
    // The pipeline takes the highest task: Test alone is not high, Prod is.
    expect(github.commentOf(3)).toContain(
      '| `migrations/test_db/1.2.0_add_phone.sql` | Prod | 🔴 High | ALTER_TABLE | DDL on Prod is High |',
    );
    repo.git('checkout', '-q', 'main');
    repo.git('branch', '-q', '-D', 'pr-3');

    // Step 4: a custom role Tester and the flow Tester → Project Owner → DBA for DDL × High.
    const pr4 = openPr(4, 'olivia', {
      'policies/roles.yaml':
        'roles:\n  - {id: workspace-owner, members: [alice]}\n  - {id: project-owner, members: [olivia]}\n  - {id: dba, members: [dana]}\n  - {id: developer, members: [devon]}\n  - {id: tester, title: Tester, members: [tom]}\n',
      'policies/approval-flows.yaml':
        'flows:\n  - {id: owner-then-dba, title: Project Owner → DBA, steps: [project-owner, dba]}\n  - {id: tester-owner-dba, title: Tester → Project Owner → DBA, steps: [tester, project-owner, dba]}\nassignments:\n  - {source: ddl, level: high, flow: tester-owner-dba}\n',
    });
    github.review(4, 'alice', 'APPROVED');
    await step('pull_request_review', reviewEvent('submitted', pr4, 'alice', 'APPROVED'), pr4.headSha);
    expect(github.statusesOf(pr4.headSha).at(-1)).toBe('success: risk none: approved by alice');
    const merged4 = mergePr(4);
    await step('push', pushEvent('refs/heads/main', merged4.before, merged4.after, 'olivia'), merged4.after);

    const pr5 = openPr(5, 'devon', {
      'migrations/test_db/1.2.0_add_phone.sql': 'ALTER TABLE t1 ADD COLUMN phone VARCHAR(20);\n',
    });
    const opened = await step('pull_request', pullRequestEvent('opened', pr5), pr5.headSha);
    expect(opened.outputs).toMatchObject({
      'risk-level': 'high',
      flow: 'tester-owner-dba',
      approved: 'false',
    });
    expect(opened.commands).toContain(
      '::warning title=sqlgate%3A high risk,file=migrations/test_db/1.2.0_add_phone.sql,line=1,endLine=1::ALTER_TABLE is high risk in prod: DDL on Prod is High',
    );
    expect(opened.summary).toContain('Tester → Project Owner → DBA');
    const reviewStep = async (who: string) => {
      github.review(5, who, 'APPROVED');
      return step('pull_request_review', reviewEvent('submitted', pr5, who, 'APPROVED'), pr5.headSha);
    };
    await reviewStep('dana'); // too early: the DBA is the last step
    await reviewStep('tom');
    await reviewStep('olivia');
    expect(github.commentOf(5)).toContain('@dana');
    expect(github.commentOf(5)).toContain(
      'too early: approved before Project Owner had approved; approve again',
    );
    const last = await reviewStep('dana');
    expect(last.outputs.approved).toBe('true');
    expect(github.statusesOf(pr5.headSha)).toEqual([
      'pending: waiting for Tester (0 of 1)',
      'pending: waiting for Tester (0 of 1)',
      'pending: waiting for Project Owner (0 of 1)',
      'pending: waiting for DBA (0 of 1)',
      'success: risk high: approved by tom, olivia, dana',
    ]);
    expect(github.comments.get(5)).toHaveLength(1); // one sticky comment, updated in place

    // Step 5: merge deploys Test; Prod waits for an owner's or DBA's tag.
    const merged5 = mergePr(5);
    const push5 = await step(
      'push',
      pushEvent('refs/heads/main', merged5.before, merged5.after, 'devon'),
      merged5.after,
    );
    expect(push5.code).toBe(0);
    expect(await columns(testDb)).toEqual(['id', 'name', 'email', 'phone']);
    expect(await columns(prodDb)).toEqual(['id', 'name', 'email']);
    const historyOf = (server: MariaDbServer) =>
      server.query(
        "SELECT status, pr, risk, applied_by, git_sha FROM test_db.sqlgate_history WHERE version = '1.2.0'",
      );
    expect(await historyOf(testDb)).toEqual([
      { status: 'success', pr: 5, risk: 'none', applied_by: 'devon', git_sha: merged5.after },
    ]);

    repo.git('tag', 'prod/v2');
    const developerTag = await step(
      'push',
      pushEvent('refs/tags/prod/v2', '0'.repeat(40), merged5.after, 'devon'),
      merged5.after,
    );
    expect(developerTag.code).not.toBe(0);
    expect(developerTag.stdout).toContain(
      '::error::sqlgate: rollout of prod/v2 refused (sender): devon pushed the tag but holds none of the rollout roles of Prod (workspace-owner, project-owner, dba). Nothing was deployed.',
    );
    expect(await columns(prodDb)).toEqual(['id', 'name', 'email']);

    repo.git('tag', 'prod/v3');
    const ownerTag = await step(
      'push',
      pushEvent('refs/tags/prod/v3', '0'.repeat(40), merged5.after, 'olivia'),
      merged5.after,
    );
    expect(ownerTag.code).toBe(0);
    expect(ownerTag.stdout).toContain(
      'migrations/test_db/1.2.0_add_phone.sql: PR #5 was approved (Tester → Project Owner → DBA)',
    );
    expect(JSON.parse(ownerTag.outputs.deployed as string)).toEqual([
      { environment: 'prod', database: 'test_db', files: ['migrations/test_db/1.2.0_add_phone.sql'] },
    ]);
    expect(await columns(prodDb)).toEqual(['id', 'name', 'email', 'phone']);
    expect(await historyOf(prodDb)).toEqual([
      { status: 'success', pr: 5, risk: 'high', applied_by: 'olivia', git_sha: merged5.after },
    ]);
    // The token is registered as a secret (the runner masks it) and otherwise never printed.
    for (const r of [check1, push1, tag1, ownerTag]) {
      expect(r.commands).toContain('::add-mask::ghs_e2e_token_123');
      expect(
        r.stdout
          .split('\n')
          .filter((l) => !l.startsWith('::add-mask::'))
          .join('\n'),
      ).not.toContain('ghs_e2e_token_123');
    }
  }, 180_000);
});

function openPr(number: number, author: string, files: Record<string, string>, from?: string) {
  return open(repo, github, { number, author, files, ...(from ? { from } : {}) });
}

function mergePr(number: number) {
  return merge(repo, github, number);
}
