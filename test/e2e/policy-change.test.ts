// A pull request that edits policies/, checked by the bundled Action (dist/index.js) as GitHub
// runs it: the sticky comment shows the base branch's policy tests run against the PR's policies
// and what the change would have done to the migrations that already landed.
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../policy/seed-texts.js';
import { runStep } from '../support/action-runner.js';
import { pullRequestEvent } from '../support/events.js';
import { TempRepo } from '../support/git-repo.js';
import { FakeGitHub } from '../support/github-server.js';

let github: FakeGitHub;
let api: string;
let repo: TempRepo;

beforeAll(async () => {
  github = new FakeGitHub();
  api = await github.start();
  repo = new TempRepo({ withPolicies: false });
  cpSync(join(REPO_ROOT, 'examples/seed/policies'), join(repo.dir, 'policies'), { recursive: true });
  repo.write({
    'policies/tests/seed.yaml': `cases:
  - name: DDL on Prod needs the Tester, the Project Owner and the DBA
    sql: ALTER TABLE users ADD COLUMN a INT;
    database: test_db
    expect: {level: high, flows: [tester-owner-dba]}
  - name: DDL on Test alone is low
    sql: ALTER TABLE users ADD COLUMN a INT;
    database: test_db
    environments: test
    expect: {level: low, flows: []}
`,
    'migrations/test_db/1.0.0_init.sql': 'CREATE TABLE users (id INT PRIMARY KEY, legacy INT);\n',
  });
  repo.commit('Adopt sqlgate');
  repo.mergePullRequest({
    number: 41,
    branch: 'drop-legacy',
    title: 'Drop column users.legacy',
    files: { 'migrations/test_db/1.1.0_drop_legacy.sql': 'ALTER TABLE users DROP COLUMN legacy;\n' },
  });
  repo.git('checkout', '-q', '-b', 'rows');
  repo.write({ 'migrations/test_db/1.2.0_rows.sql': 'DELETE FROM users WHERE id = 0;\n' });
  repo.commit('rows');
  repo.git('checkout', '-q', 'main');
  repo.git('merge', '-q', '--squash', 'rows');
  repo.commit('Remove row zero (#42)');
}, 60_000);
afterAll(async () => {
  await github?.stop();
  repo?.cleanup();
});

describe('the PR check of a policy change, through dist/index.js', { timeout: 60_000 }, () => {
  it("shows the base branch's failing policy tests and what the change would have changed", async () => {
    const baseSha = repo.git('rev-parse', 'HEAD');
    repo.git('checkout', '-q', '-b', 'lower-prod-ddl');
    const files = {
      'policies/risk-rules.yaml':
        'rules:\n  - {title: DDL on Prod is Moderate, source: ddl, level: moderate, when: {environment: prod}}\n  - {title: DDL on Test is Low, source: ddl, level: low, when: {environment: test}}\npreset: none\n',
      // Editing the tests in the same PR changes nothing: the base branch's tests judge it.
      'policies/tests/seed.yaml':
        'cases:\n  - {name: anything, sql: SELECT 1;, database: test_db, expect: {level: none}}\n',
    };
    repo.write(files);
    const headSha = repo.commit('Lower DDL on Prod to moderate');
    github.openPr({ number: 43, author: 'devon', baseSha, headSha, files: Object.keys(files) });
    const pr = { number: 43, author: 'devon', baseSha, headSha, changedFiles: 2 };
    const step = await runStep({
      eventName: 'pull_request',
      payload: pullRequestEvent('opened', pr),
      workspace: repo.dir,
      apiUrl: api,
      sha: headSha,
    });
    expect(step.code).toBe(0);
    const comment = github.commentOf(43) as string;
    expect(comment).toContain(
      [
        "### Policy tests: the base branch's tests against this PR's policies",
        '',
        '❌ 1 passed, 1 failed',
        '',
        '- ❌ **DDL on Prod needs the Tester, the Project Owner and the DBA** (`policies/tests/seed.yaml:2`)',
        '  - level: expected `high`, actual `moderate`',
        '    - moderate: rule "DDL on Prod is Moderate" (policies/risk-rules.yaml:2) matched policies/tests/seed.yaml:3 in prod: ALTER TABLE users ADD COLUMN a INT',
        '  - flows: expected `tester-owner-dba`, actual `(none)`',
        '    - no assignment covers ddl × moderate',
      ].join('\n'),
    );
    expect(comment).toContain(
      [
        '### What this policy change would have changed',
        '',
        'Replayed 3 landed changes (3 migration files) under the current and the proposed policies.',
        '',
        '| Change | Level | Flow |',
        '| --- | --- | --- |',
      ].join('\n'),
    );
    expect(comment).toContain(
      '| PR #41 Drop column users.legacy | high → **moderate** | tester-owner-dba → **none** |',
    );
    expect(comment).not.toContain('PR #42');
    expect(comment).toContain('**In all:** flow tester-owner-dba → none: 2; level high → moderate: 2.');
    // The sections inform; the status still follows the base policies and the policy-change flow.
    expect(github.statusesOf(headSha)).toEqual(['pending: waiting for Workspace Owner (0 of 1)']);
    expect(step.summary).toContain('### What this policy change would have changed');

    // The what-if can be bounded by the Action's inputs; the comment says where it stopped.
    const limited = await runStep({
      eventName: 'pull_request',
      payload: pullRequestEvent('synchronize', pr),
      workspace: repo.dir,
      apiUrl: api,
      sha: headSha,
      inputs: { 'whatif-limit': '1', 'whatif-budget': '30' },
    });
    expect(limited.code).toBe(0);
    expect(github.commentOf(43)).toContain('Cut short: only the newest 1 of 3 landed changes were replayed');
  });
});
