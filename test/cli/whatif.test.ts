// `sqlgate whatif` on real git repositories: PRs landed by merge commits and by squash merges,
// and a direct push, replayed under the branch's policies and proposed ones.
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../policy/seed-texts.js';
import { cli } from '../support/cli.js';
import { TempRepo } from '../support/git-repo.js';
import { FakeGitHub } from '../support/github-server.js';

const repos: TempRepo[] = [];
afterEach(() => {
  for (const r of repos.splice(0)) r.cleanup();
});

const LOWER_PROD_DDL = `rules:
  - {title: DDL on Prod is Moderate, source: ddl, level: moderate, when: {environment: prod}}
  - {title: DDL on Test is Low, source: ddl, level: low, when: {environment: test}}
preset: none
`;
const OWNER_FOR_MODERATE = `flows:
  - {id: owner-then-dba, title: Project Owner → DBA, steps: [project-owner, dba]}
  - {id: tester-owner-dba, title: Tester → Project Owner → DBA, steps: [tester, project-owner, dba]}
assignments:
  - {source: ddl, level: high, flow: tester-owner-dba}
  - {source: ddl, level: moderate, flow: owner-then-dba}
`;

/** main with the seed policies and an init migration, then PR #41 (merge commit), PR #42 (squash), a direct push. */
function history(): { repo: TempRepo; merge41: string; squash42: string; direct: string } {
  const repo = new TempRepo({ withPolicies: false });
  repos.push(repo);
  cpSync(join(REPO_ROOT, 'examples/seed/policies'), join(repo.dir, 'policies'), { recursive: true });
  repo.write({
    'migrations/test_db/1.0.0_init.sql': 'CREATE TABLE users (id INT PRIMARY KEY, legacy INT);\n',
  });
  repo.commit('Adopt sqlgate');

  repo.mergePullRequest({
    number: 41,
    branch: 'drop-legacy',
    title: 'Drop column users.legacy',
    files: { 'migrations/test_db/1.1.0_drop_legacy.sql': 'ALTER TABLE users DROP COLUMN legacy;\n' },
  });
  const merge41 = repo.git('rev-parse', 'HEAD');

  repo.git('checkout', '-q', '-b', 'cleanup');
  repo.write({ 'migrations/test_db/1.2.0_cleanup.sql': 'DELETE FROM users WHERE id = 0;\n' });
  repo.commit('wip 1');
  repo.write({ 'migrations/test_db/1.2.1_index.sql': 'CREATE INDEX users_id ON users (id);\n' });
  repo.commit('wip 2');
  repo.git('checkout', '-q', 'main');
  repo.git('merge', '-q', '--squash', 'cleanup');
  const squash42 = repo.commit('Clean up users (#42)');

  repo.write({ 'migrations/test_db/1.3.0_hotfix.sql': 'ALTER TABLE users ADD COLUMN email VARCHAR(100);\n' });
  const direct = repo.commit('hotfix: email column');
  return { repo, merge41, squash42, direct };
}

describe('sqlgate whatif', { timeout: 30_000 }, () => {
  it('reports every landed PR or commit whose level or flow the proposed policies change, attributed by merge and squash commits', async () => {
    const { repo, direct } = history();
    repo.write({
      'policies/risk-rules.yaml': LOWER_PROD_DDL,
      'policies/approval-flows.yaml': OWNER_FOR_MODERATE,
    });
    const run = await cli(['whatif'], { cwd: repo.dir });
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toMatch(
      /^sqlgate whatif: 4 landed changes with migrations on main \(5 files\), current policies \(main [0-9a-f]{7}\) vs proposed \(policies\/\)$/,
    );
    expect(lines.slice(1)).toEqual([
      '',
      `commit ${direct.slice(0, 7)} (hotfix: email column): high → moderate; flow tester-owner-dba → owner-then-dba`,
      '    migrations/test_db/1.3.0_hotfix.sql: high → moderate',
      'PR #42 (Clean up users): high → moderate; flow tester-owner-dba → owner-then-dba',
      '    migrations/test_db/1.2.1_index.sql: high → moderate',
      'PR #41 (Drop column users.legacy): high → moderate; flow tester-owner-dba → owner-then-dba',
      '    migrations/test_db/1.1.0_drop_legacy.sql: high → moderate',
      `commit ${repo.git('rev-list', '--max-parents=0', 'HEAD').slice(0, 7)} (Adopt sqlgate): high → moderate; flow tester-owner-dba → owner-then-dba`,
      '    migrations/test_db/1.0.0_init.sql: high → moderate',
      '',
      '4 of 4 landed changes would change: flow tester-owner-dba → owner-then-dba: 4, level high → moderate: 4',
    ]);
  });

  it('takes the proposed policies from a git ref, and says when nothing changes', async () => {
    const { repo } = history();
    repo.git('checkout', '-q', '-b', 'policy-edit');
    repo.write({
      'policies/roles.yaml':
        'roles:\n  - {id: dba, members: [dana, dave]}\n  - {id: tester, title: Tester, members: [tom]}\n  - {id: project-owner, members: [olivia]}\n',
    });
    repo.commit('add dave to dba');
    repo.git('checkout', '-q', 'main');
    const run = await cli(['whatif', '--policies-ref', 'policy-edit'], { cwd: repo.dir });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('vs proposed (policies/ at policy-edit)');
    expect(run.stdout).toContain('No landed change would get another level or flow.');
    expect(run.stdout.split('\n').at(-1)).toBe('0 of 4 landed changes would change');
  });

  it('gives JSON and Markdown, with the PR, how it landed and both outcomes', async () => {
    const { repo, merge41, squash42 } = history();
    repo.git('checkout', '-q', '-b', 'lower');
    repo.write({ 'policies/risk-rules.yaml': LOWER_PROD_DDL });
    repo.commit('lower prod ddl');
    const json = JSON.parse(
      (
        await cli(['whatif', '--base', 'main', '--policies-ref', 'lower', '--format', 'json'], {
          cwd: repo.dir,
        })
      ).stdout,
    );
    expect(json).toMatchObject({ version: 1, total: 4, replayed: 4, files: 5, cut: null });
    expect(json.changes.filter((c: { pr: number | null }) => c.pr !== null)).toEqual([
      {
        pr: 42,
        commit: squash42,
        landed: 'squash',
        title: 'Clean up users',
        current: { level: 'high', levelBySource: { ddl: 'high', dml: 'none' }, flow: 'tester-owner-dba' },
        proposed: { level: 'moderate', levelBySource: { ddl: 'moderate', dml: 'none' }, flow: null },
        files: [{ path: 'migrations/test_db/1.2.1_index.sql', current: 'high', proposed: 'moderate' }],
      },
      {
        pr: 41,
        commit: merge41,
        landed: 'merge',
        title: 'Drop column users.legacy',
        current: { level: 'high', levelBySource: { ddl: 'high' }, flow: 'tester-owner-dba' },
        proposed: { level: 'moderate', levelBySource: { ddl: 'moderate' }, flow: null },
        files: [{ path: 'migrations/test_db/1.1.0_drop_legacy.sql', current: 'high', proposed: 'moderate' }],
      },
    ]);
    expect(json.counts).toEqual([
      { what: 'flow tester-owner-dba → none', count: 4 },
      { what: 'level high → moderate', count: 4 },
    ]);
    const md = (await cli(['whatif', '--policies-ref', 'lower', '--format', 'markdown'], { cwd: repo.dir }))
      .stdout;
    expect(md).toContain(
      '| PR #41 Drop column users.legacy | high → **moderate** | tester-owner-dba → **none** |',
    );
    expect(md).toContain('**In all:** flow tester-owner-dba → none: 4; level high → moderate: 4.');
  });

  it('with --limit, replays the newest changes only and says so', async () => {
    const { repo } = history();
    repo.write({ 'policies/risk-rules.yaml': LOWER_PROD_DDL });
    const run = await cli(['whatif', '--limit', '2'], { cwd: repo.dir });
    expect(run.stdout.split('\n').slice(-2)).toEqual([
      'note: only the newest 2 of 4 landed changes were replayed (limited to the last 2); older ones may change too',
      '2 of 2 landed changes would change: flow tester-owner-dba → none: 2, level high → moderate: 2',
    ]);
  });

  it('refuses bad input with exit 2', async () => {
    const { repo } = history();
    expect((await cli(['whatif', '--format', 'yaml'], { cwd: repo.dir })).stderr).toBe(
      'sqlgate: --format must be one of text, json, markdown, not "yaml"',
    );
    const noRef = await cli(['whatif', '--policies-ref', 'nope'], { cwd: repo.dir });
    expect(noRef.code).toBe(2);
    expect(noRef.stderr).toContain('git ref "nope" does not exist');
    const noToken = await cli(['whatif', '--past-reviews'], { cwd: repo.dir });
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toBe(
      'sqlgate: --past-reviews reads reviews from GitHub: set GITHUB_TOKEN (or GH_TOKEN)',
    );
  });
});

describe('sqlgate whatif --past-reviews', { timeout: 30_000 }, () => {
  let github: FakeGitHub;
  let api: string;
  beforeAll(async () => {
    github = new FakeGitHub();
    api = await github.start();
  });
  afterAll(() => github.stop());

  it('says which past PRs the reviews they got would not have approved under the new flow; and asks GitHub who landed a commit git cannot attribute', async () => {
    const repo = new TempRepo({ withPolicies: false });
    repos.push(repo);
    cpSync(join(REPO_ROOT, 'examples/seed/policies'), join(repo.dir, 'policies'), { recursive: true });
    repo.write({
      'policies/approval-flows.yaml': OWNER_FOR_MODERATE.replace(
        'level: high, flow: tester-owner-dba',
        'level: high, flow: owner-then-dba',
      ),
      'migrations/test_db/1.0.0_init.sql': 'CREATE TABLE users (id INT);\n',
    });
    repo.commit('Adopt sqlgate');
    const base = repo.git('rev-parse', 'HEAD');
    // PR #7: merged with a merge commit after the owner and the DBA approved.
    repo.git('checkout', '-q', '-b', 'pr-7');
    repo.write({ 'migrations/test_db/1.1.0_add_a.sql': 'ALTER TABLE users ADD COLUMN a INT;\n' });
    const head7 = repo.commit('add a');
    github.openPr({
      number: 7,
      author: 'devon',
      baseSha: base,
      headSha: head7,
      files: ['migrations/test_db/1.1.0_add_a.sql'],
    });
    github.review(7, 'olivia', 'APPROVED');
    github.review(7, 'dana', 'APPROVED');
    repo.git('checkout', '-q', 'main');
    repo.git('merge', '-q', '--no-ff', '-m', 'Merge pull request #7 from acme/pr-7\n\nAdd column a', 'pr-7');
    github.merge(7, repo.git('rev-parse', 'HEAD'));
    // PR #8: rebase-merged, so its commit names no PR; the Tester approved too.
    repo.git('checkout', '-q', '-b', 'pr-8');
    repo.write({ 'migrations/test_db/1.2.0_add_b.sql': 'ALTER TABLE users ADD COLUMN b INT;\n' });
    const head8 = repo.commit('Add column b');
    github.openPr({
      number: 8,
      author: 'devon',
      baseSha: base,
      headSha: head8,
      files: ['migrations/test_db/1.2.0_add_b.sql'],
    });
    for (const who of ['tom', 'olivia', 'dana']) github.review(8, who, 'APPROVED');
    repo.git('checkout', '-q', 'main');
    repo.git('merge', '-q', '--ff-only', 'pr-8');
    github.merge(8, head8);

    // Proposed: DDL × high needs the Tester first again.
    repo.write({ 'policies/approval-flows.yaml': OWNER_FOR_MODERATE });
    const run = await cli(['whatif', '--past-reviews', '--repo', 'acme/shop'], {
      cwd: repo.dir,
      env: { GITHUB_TOKEN: 'ghs_test', GITHUB_API_URL: api },
    });
    expect(run.stderr).toBe('');
    // The rebase-merged commit names no PR: GitHub attributes it, with the PR's title.
    expect(run.stdout).toContain(
      'PR #8 (Change #8): high (unchanged); flow owner-then-dba → tester-owner-dba',
    );
    expect(run.stdout).toContain(
      'PR #7 (Add column a): high (unchanged); flow owner-then-dba → tester-owner-dba',
    );
    expect(run.stdout).toContain(
      [
        'Past reviews under the proposed flows: 1 of 2 PRs would not have been approved',
        '  PR #7: tester-owner-dba: waiting for Tester (0 of 1)',
      ].join('\n'),
    );
  });
});
