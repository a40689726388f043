import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCheck } from '../../src/check/check.js';
import { GitRepo } from '../../src/git/repo.js';
import { createGitHub } from '../../src/github/client.js';
import { ParserPool } from '../../src/parser/pool.js';
import { TempRepo } from '../support/git-repo.js';
import { OWNER, REPO } from '../support/github-fixtures.js';
import { type StubReview, stubGitHub } from '../support/github-stub.js';

const pool = new ParserPool();
const repos: TempRepo[] = [];
beforeAll(() => nock.disableNetConnect());
afterEach(() => {
  nock.cleanAll();
  for (const r of repos.splice(0)) r.cleanup();
});
afterAll(async () => {
  nock.enableNetConnect();
  await pool.close();
});

const MIGRATION = 'migrations/test_db/1.1.0_add_email.sql';

function seedPr(extra: Record<string, string> = {}): { repo: TempRepo; base: string; head: string } {
  const repo = new TempRepo();
  repos.push(repo);
  repo.write({ 'migrations/test_db/1.0.0_init.sql': 'CREATE TABLE t1 (id INT PRIMARY KEY);\n' });
  const base = repo.commit('init');
  repo.git('checkout', '-q', '-b', 'feature');
  repo.write({ [MIGRATION]: 'ALTER TABLE t1 ADD COLUMN email VARCHAR(100);\n', ...extra });
  const head = repo.commit('add email');
  return { repo, base, head };
}

const at = (minute: number) => `2026-11-25T10:${String(minute).padStart(2, '0')}:00Z`;

async function check(
  repo: TempRepo,
  base: string,
  head: string,
  reviews: StubReview[],
  options: { author?: string; files?: string[]; teams?: Record<string, string[] | 404> } = {},
) {
  nock.cleanAll();
  const recorded = stubGitHub({
    files: options.files ?? [MIGRATION],
    reviews,
    ...(options.teams ? { teams: options.teams } : {}),
  });
  const outcome = await runCheck({
    repo: new GitRepo(repo.dir),
    github: createGitHub({ token: 'ghs_test', writeIntervalMs: 0 }),
    ref: { owner: OWNER, repo: REPO },
    pull: {
      number: 7,
      author: options.author ?? 'devon',
      baseSha: base,
      headSha: head,
      changedFiles: (options.files ?? [MIGRATION]).length,
    },
    parser: pool,
    policiesDir: 'policies',
    migrationsDir: 'migrations',
  });
  return { outcome, recorded };
}

describe('the pull-request check', () => {
  it('is pending until Tester, Project Owner and DBA approve in order, then succeeds', async () => {
    const { repo, base, head } = seedPr();
    const first = await check(repo, base, head, []);
    expect(first.recorded.statuses).toEqual([
      { sha: head, state: 'pending', description: 'waiting for Tester (0 of 1)' },
    ]);
    expect(first.recorded.comments[0]).toContain('## sqlgate: 🔴 High risk — ⏳ waiting for Tester (0 of 1)');
    expect(first.recorded.comments[0]).toContain('**Next:** Tester — 1 more approval from @tom');

    const approvals = [
      { user: 'tom', state: 'APPROVED' as const, at: at(1), commit: head },
      { user: 'olivia', state: 'APPROVED' as const, at: at(2), commit: head },
      { user: 'dana', state: 'APPROVED' as const, at: at(3), commit: head },
    ];
    const done = await check(repo, base, head, approvals);
    expect(done.recorded.statuses).toEqual([
      { sha: head, state: 'success', description: 'risk high: approved by tom, olivia, dana' },
    ]);
    expect(done.outcome.ok && done.outcome.approved).toBe(true);
    expect(done.recorded.comments[0]).toContain('f0s2["3. DBA ✅<br/>approved by dana"]:::satisfied');
  });

  it('security: the author approving their own PR does not count', async () => {
    const { repo, base, head } = seedPr();
    const { recorded } = await check(
      repo,
      base,
      head,
      [{ user: 'tom', state: 'APPROVED', at: at(1), commit: head }],
      { author: 'tom' },
    );
    expect(recorded.statuses[0]?.state).toBe('failure');
    expect(recorded.statuses[0]?.description).toBe(
      'cannot be approved: no one but the author holds role tester',
    );
    expect(recorded.comments[0]).toContain(
      '@tom (2026-11-25T10:01:00Z): the author of a pull request cannot approve it',
    );
  });

  it('security: an approval from someone outside the roles does not count', async () => {
    const { repo, base, head } = seedPr();
    const { recorded } = await check(repo, base, head, [
      { user: 'mallory', state: 'APPROVED', at: at(1), commit: head },
    ]);
    expect(recorded.statuses[0]).toMatchObject({
      state: 'pending',
      description: 'waiting for Tester (0 of 1)',
    });
    expect(recorded.comments[0]).toContain(
      '@mallory (2026-11-25T10:01:00Z): mallory holds none of the roles of this flow (tester, project-owner, dba)',
    );
  });

  it('security: approvals out of order do not count in strict order', async () => {
    const { repo, base, head } = seedPr();
    const { recorded } = await check(repo, base, head, [
      { user: 'dana', state: 'APPROVED', at: at(1), commit: head },
      { user: 'olivia', state: 'APPROVED', at: at(2), commit: head },
      { user: 'tom', state: 'APPROVED', at: at(3), commit: head },
    ]);
    expect(recorded.statuses[0]).toMatchObject({
      state: 'pending',
      description: 'waiting for Project Owner (0 of 1)',
    });
  });

  it('security: an approval goes stale when the SQL changes, but not when only docs change', async () => {
    const { repo, base, head } = seedPr();
    repo.write({ 'README.md': 'docs' });
    const docs = repo.commit('docs');
    const kept = await check(repo, base, docs, [{ user: 'tom', state: 'APPROVED', at: at(1), commit: head }]);
    expect(kept.recorded.statuses[0]?.description).toBe('waiting for Project Owner (0 of 1)');

    repo.write({ [MIGRATION]: 'ALTER TABLE t1 DROP COLUMN id;\n' });
    const sql = repo.commit('sneak a drop in');
    const stale = await check(repo, base, sql, [{ user: 'tom', state: 'APPROVED', at: at(1), commit: head }]);
    expect(stale.recorded.statuses[0]?.description).toBe('waiting for Tester (0 of 1)');
    expect(stale.recorded.comments[0]).toContain(
      'stale: the migrations or policies changed after it; approve the current version',
    );
  });

  it('security: a PR that lowers a risk rule is judged by the base rule and needs the policy-change flow', async () => {
    const { repo, base, head } = seedPr({
      'policies/risk-rules.yaml':
        'rules:\n  - {title: DDL on Prod is High, source: ddl, level: low, when: {environment: prod}}\npreset: none\n',
    });
    const { recorded, outcome } = await check(repo, base, head, [], {
      files: [MIGRATION, 'policies/risk-rules.yaml'],
    });
    expect(outcome.ok && outcome.plan.risk.level).toBe('high');
    expect(outcome.ok && outcome.approvals.map((a) => a.flow.id)).toEqual([
      'tester-owner-dba',
      'policy-change',
    ]);
    expect(recorded.comments[0]).toContain("- rule 'DDL on Prod is High' level high → low");
    expect(recorded.statuses[0]?.description).toBe(
      'waiting for Tester (0 of 1); waiting for Workspace Owner (0 of 1)',
    );
  });

  it('security: a PR that adds its author to the DBA role cannot use that role', async () => {
    const roles =
      'roles:\n  - {id: workspace-owner, members: [alice]}\n  - {id: project-owner, members: [olivia]}\n  - {id: dba, members: [dana, mallory]}\n  - {id: tester, title: Tester, members: [tom, mallory]}\n';
    const { repo, base, head } = seedPr({ 'policies/roles.yaml': roles });
    const { recorded } = await check(
      repo,
      base,
      head,
      [{ user: 'mallory', state: 'APPROVED', at: at(1), commit: head }],
      {
        author: 'mallory',
        files: [MIGRATION, 'policies/roles.yaml'],
      },
    );
    expect(recorded.statuses[0]?.state).toBe('pending');
    expect(recorded.comments[0]).toContain("- role 'dba': member mallory added");
    expect(recorded.comments[0]).toContain('the author of a pull request cannot approve it');
  });

  it('security: a review from a deleted (ghost) account does not count', async () => {
    const { repo, base, head } = seedPr();
    const { recorded } = await check(repo, base, head, [
      { user: null, state: 'APPROVED', at: at(1), commit: head },
    ]);
    expect(recorded.comments[0]).toContain('the account that approved has been deleted');
  });

  it('counts a member of a team role, and fails closed on a team it cannot read', async () => {
    const roles =
      'roles:\n  - {id: workspace-owner, members: [alice]}\n  - {id: project-owner, members: [olivia]}\n  - {id: dba, members: [acme/dba-team, acme/secret-dbas]}\n  - {id: tester, title: Tester, members: [tom]}\n';
    const repo = new TempRepo();
    repos.push(repo);
    repo.write({
      'policies/roles.yaml': roles,
      'migrations/test_db/1.0.0_init.sql': 'CREATE TABLE t1 (id INT);\n',
    });
    const base = repo.commit('init');
    repo.write({ [MIGRATION]: 'ALTER TABLE t1 ADD c INT;\n' });
    const head = repo.commit('pr');
    const { recorded } = await check(
      repo,
      base,
      head,
      [
        { user: 'tom', state: 'APPROVED', at: at(1), commit: head },
        { user: 'olivia', state: 'APPROVED', at: at(2), commit: head },
        { user: 'dora', state: 'APPROVED', at: at(3), commit: head },
      ],
      { teams: { 'acme/dba-team': ['dora'], 'acme/secret-dbas': 404 } },
    );
    expect(recorded.statuses[0]).toMatchObject({ state: 'success' });
    expect(recorded.comments[0]).toContain('cannot read team acme/secret-dbas (HTTP 404)');
  });

  it('reports policy errors as a failed status and a comment naming file, line and column', async () => {
    const { repo, base } = seedPr();
    repo.write({ 'policies/approval-flows.yaml': 'flows:\n  - {id: f, title: F, steps: [testr]}\n' });
    const head = repo.commit('typo');
    const { recorded, outcome } = await check(repo, base, head, [], {
      files: [MIGRATION, 'policies/approval-flows.yaml'],
    });
    expect(outcome.ok).toBe(false);
    expect(recorded.statuses[0]).toMatchObject({ state: 'failure' });
    expect(recorded.comments[0]).toContain('policies/approval-flows.yaml:2:31: step "testr" is not a role');
  });

  it('refuses a migration file name with shell characters as a failed status, naming the file', async () => {
    const bad = "migrations/test_db/1.2.0_x'$(id>&2)'.sql";
    const { repo, base, head } = seedPr({ [bad]: 'SELECT 1;\n' });
    const { recorded, outcome } = await check(repo, base, head, [], { files: [MIGRATION, bad] });
    expect(outcome.ok).toBe(false);
    expect(recorded.statuses[0]).toMatchObject({ state: 'failure' });
    expect(recorded.comments[0]).toContain(
      `${bad}: migration file name "1.2.0_x'$(id>&2)'.sql" has characters other than letters, digits, ".", "_" and "-"`,
    );
  });

  it('refuses a shallow checkout that lacks the base commit', async () => {
    const { repo, head } = seedPr();
    const { recorded, outcome } = await check(repo, 'f'.repeat(40), head, []);
    expect(outcome.ok).toBe(false);
    expect(recorded.comments[0]).toContain(
      "the checkout does not contain the PR's base commit fffffff; check out with actions/checkout and fetch-depth: 0",
    );
  });

  it('fails a PR whose migration the deploy would refuse (it cannot be applied exactly once), before anyone approves, naming file, line and why', async () => {
    const refused = {
      'migrations/test_db/1.1.1_data.sql': 'SET autocommit = 0;\nUPDATE t1 SET id = 2;\n',
      'migrations/test_db/1.1.2_lock.sql': 'FLUSH TABLES WITH READ LOCK;\n',
    };
    const { repo, base, head } = seedPr(refused);
    const { recorded } = await check(repo, base, head, [], { files: [MIGRATION, ...Object.keys(refused)] });
    expect(recorded.statuses).toHaveLength(1);
    expect(recorded.statuses[0]?.state).toBe('failure');
    // The count first: GitHub keeps 140 characters, and one reason fills them.
    expect(recorded.statuses[0]?.description).toMatch(
      /^the deploy would refuse 2 files, first migrations\/test_db\/1\.1\.1_data\.sql: line 1: changes autocommit/,
    );
    expect(recorded.statuses[0]?.description.length).toBeLessThanOrEqual(140);
    expect(recorded.comments[0]).toContain('### ❌ The deploy would refuse this');
    expect(recorded.comments[0]).toContain(
      '- `migrations/test_db/1.1.1_data.sql`: line 1: changes autocommit: with autocommit off',
    );
    expect(recorded.comments[0]).toContain(
      "- `migrations/test_db/1.1.2_lock.sql`: line 1: takes the server's global read lock",
    );
  });

  it('passes a PR that needs no approval', async () => {
    const repo = new TempRepo();
    repos.push(repo);
    repo.write({ 'migrations/test_db/1.0.0_init.sql': 'CREATE TABLE t1 (id INT);\n' });
    const base = repo.commit('init');
    repo.write({ 'migrations/test_db/1.0.1_data.sql': 'UPDATE t1 SET id = 2 WHERE id = 1;\n' });
    const head = repo.commit('data');
    const { recorded } = await check(repo, base, head, [], { files: ['migrations/test_db/1.0.1_data.sql'] });
    expect(recorded.statuses).toEqual([
      { sha: head, state: 'success', description: 'risk none: no approval needed' },
    ]);
  });
});
