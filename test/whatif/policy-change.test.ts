// A pull request that edits the policies, on a real git repository: the base branch's policy
// tests against the PR's policies, and the replay of what landed before (merge and squash).
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { GitRepo } from '../../src/git/repo.js';
import { ParserPool } from '../../src/parser/pool.js';
import { policyChangeMarkdown } from '../../src/report/policy-change.js';
import { reviewPolicyChange } from '../../src/whatif/policy-change.js';
import { REPO_ROOT } from '../policy/seed-texts.js';
import { TempRepo } from '../support/git-repo.js';

const repos: TempRepo[] = [];
afterEach(() => {
  for (const r of repos.splice(0)) r.cleanup();
});
const pool = new ParserPool({ workers: 1 });
afterAll(() => pool.close());

const TESTS = `cases:
  - name: DDL on Prod needs the Tester first
    sql: ALTER TABLE users ADD COLUMN a INT;
    database: test_db
    expect: {level: high, flows: [tester-owner-dba]}
  - name: DDL on Test alone is low
    sql: ALTER TABLE users ADD COLUMN a INT;
    database: test_db
    environments: test
    expect: {level: low}
`;

function repoWithHistory(): { repo: TempRepo; base: string } {
  const repo = new TempRepo({ withPolicies: false });
  repos.push(repo);
  cpSync(join(REPO_ROOT, 'examples/seed/policies'), join(repo.dir, 'policies'), { recursive: true });
  repo.write({
    'policies/tests/seed.yaml': TESTS,
    'migrations/test_db/1.0.0_init.sql': 'CREATE TABLE users (id INT, legacy INT);\n',
  });
  repo.commit('Adopt sqlgate');
  repo.mergePullRequest({
    number: 41,
    branch: 'drop',
    title: 'Drop column users.legacy',
    files: { 'migrations/test_db/1.1.0_drop.sql': 'ALTER TABLE users DROP COLUMN legacy;\n' },
  });
  repo.write({ 'migrations/test_db/1.2.0_rows.sql': 'DELETE FROM users WHERE id = 0;\n' });
  const base = repo.commit('Remove row zero (#42)');
  return { repo, base };
}

describe('a pull request that edits the policies', { timeout: 30_000 }, () => {
  it("runs the base branch's tests against the PR's policies, even when the PR edits the tests too", async () => {
    const { repo, base } = repoWithHistory();
    repo.git('checkout', '-q', '-b', 'lower');
    repo.write({
      'policies/risk-rules.yaml':
        'rules:\n  - {title: DDL on Prod is Moderate, source: ddl, level: moderate, when: {environment: prod}}\npreset: none\n',
      'policies/tests/seed.yaml':
        'cases:\n  - {name: anything goes, sql: SELECT 1;, database: test_db, expect: {level: none}}\n',
    });
    const head = repo.commit('lower DDL on Prod');
    const review = await reviewPolicyChange({
      repo: new GitRepo(repo.dir),
      baseSha: base,
      headSha: head,
      policiesDir: 'policies',
      migrationsDir: 'migrations',
      parser: pool,
    });
    const md = policyChangeMarkdown(review, 'policies').join('\n');
    expect(md).toContain(
      [
        "### Policy tests: the base branch's tests against this PR's policies",
        '',
        '❌ 0 passed, 2 failed',
        '',
        '- ❌ **DDL on Prod needs the Tester first** (`policies/tests/seed.yaml:2`)',
        '  - level: expected `high`, actual `moderate`',
        '    - moderate: rule "DDL on Prod is Moderate" (policies/risk-rules.yaml:2) matched policies/tests/seed.yaml:3 in prod: ALTER TABLE users ADD COLUMN a INT',
        '  - flows: expected `tester-owner-dba`, actual `(none)`',
        '    - no assignment covers ddl × moderate',
        '- ❌ **DDL on Test alone is low** (`policies/tests/seed.yaml:6`)',
        '  - level: expected `low`, actual `none`',
        '    - no rule matched',
      ].join('\n'),
    );
    expect(md).toContain(
      [
        '### What this policy change would have changed',
        '',
        'Replayed 3 landed changes (3 migration files) under the current and the proposed policies.',
        '',
        '| Change | Level | Flow |',
        '| --- | --- | --- |',
        '| PR #41 Drop column users.legacy | high → **moderate** | tester-owner-dba → **none** |',
      ].join('\n'),
    );
    expect(md).toContain('**In all:** flow tester-owner-dba → none: 2; level high → moderate: 2.');
    expect(md).not.toContain('PR #42');
  });

  it('says when the replay was cut short by its time budget', async () => {
    const { repo, base } = repoWithHistory();
    repo.git('checkout', '-q', '-b', 'lower');
    repo.write({ 'policies/risk-rules.yaml': 'rules: []\npreset: none\n' });
    const head = repo.commit('no rules');
    let now = 0;
    const review = await reviewPolicyChange({
      repo: new GitRepo(repo.dir),
      baseSha: base,
      headSha: head,
      policiesDir: 'policies',
      migrationsDir: 'migrations',
      parser: pool,
      budgetMs: 5,
      clock: () => (now += 10),
    });
    expect(policyChangeMarkdown(review, 'policies').join('\n')).toContain(
      '> ⚠️ Cut short: only the newest 0 of 3 landed changes were replayed (the time budget of 5 ms ran out); older ones may change too.',
    );
  });
});
