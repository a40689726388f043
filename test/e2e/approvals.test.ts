// Approvals a careful reviewer expects, through the bundled Action (dist/index.js) with webhook
// payloads, a local GitHub API and real git repositories with an `origin` to fetch from.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runStep } from '../support/action-runner.js';
import { pullRequestEvent, reviewEvent } from '../support/events.js';
import { TempRepo } from '../support/git-repo.js';
import { repository, user } from '../support/github-fixtures.js';
import { FakeGitHub } from '../support/github-server.js';

let github: FakeGitHub;
let api: string;
const cleanups: (() => void)[] = [];
beforeAll(async () => {
  github = new FakeGitHub();
  api = await github.start();
});
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});
afterAll(() => github.stop());

const git = (dir: string, ...args: string[]) =>
  execFileSync('git', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'sqlgate-e2e-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
};

/** A bare `origin` that, like GitHub, serves any commit it holds by SHA; a clone with the seed policies. */
function project() {
  const origin = tempDir();
  git(origin, 'init', '-q', '--bare', '-b', 'main');
  git(origin, 'config', 'uploadpack.allowAnySHA1InWant', 'true');
  const dev = new TempRepo();
  cleanups.push(() => dev.cleanup());
  dev.write({
    'migrations/test_db/1.0.0_init.sql': 'CREATE TABLE t1 (id INT PRIMARY KEY, name VARCHAR(20));\n',
  });
  dev.commit('init');
  dev.git('remote', 'add', 'origin', origin);
  dev.git('push', '-q', 'origin', 'main');
  return { origin, dev };
}

const ALTER = { 'migrations/test_db/1.1.0_add_email.sql': 'ALTER TABLE t1 ADD COLUMN email VARCHAR(100);\n' };

/** A branch from main with `files`, pushed to origin and opened as PR `number` by devon. */
function openPr(dev: TempRepo, number: number, files: Record<string, string> = ALTER) {
  dev.git('checkout', '-q', 'main');
  const baseSha = dev.git('rev-parse', 'HEAD');
  dev.git('checkout', '-q', '-b', `pr-${number}`);
  dev.write(files);
  const headSha = dev.commit(`PR ${number}`);
  dev.git('push', '-q', 'origin', `pr-${number}`);
  github.openPr({ number, author: 'devon', baseSha, headSha, files: Object.keys(files) });
  return { number, author: 'devon', baseSha, headSha, changedFiles: Object.keys(files).length };
}

type Pr = ReturnType<typeof openPr>;

function check(workspace: string, pr: Pr, payload: unknown = pullRequestEvent('synchronize', pr)) {
  return runStep({ eventName: 'pull_request', payload, workspace, apiUrl: api, sha: pr.headSha });
}

function approve(
  workspace: string,
  pr: Pr,
  who: string,
  state: 'APPROVED' | 'CHANGES_REQUESTED' = 'APPROVED',
) {
  github.review(pr.number, who, state, pr.headSha);
  return runStep({
    eventName: 'pull_request_review',
    payload: reviewEvent('submitted', pr, who, state),
    workspace,
    apiUrl: api,
    sha: pr.headSha,
  });
}

const lastStatus = (pr: Pr) => github.statusesOf(pr.headSha).at(-1);

describe('the comment heading', { timeout: 120_000 }, () => {
  it('says "No risk" for a change no rule matches, not "None risk"', async () => {
    const { dev } = project();
    const pr = openPr(dev, 101, {
      'migrations/test_db/1.0.1_data.sql': "UPDATE t1 SET name = 'x' WHERE id = 1;\n",
    });
    expect((await check(dev.dir, pr)).code).toBe(0);
    const comment = github.commentOf(101) as string;
    expect(comment).toContain('## sqlgate: ⚪ No risk — ✅ no approval needed');
    expect(comment).not.toContain('None risk');
  });
});

describe('contributors cannot approve', { timeout: 120_000 }, () => {
  it('someone who pushed a commit to the PR cannot fill a step, and the reason names the commit', async () => {
    const { dev } = project();
    const pr = openPr(dev, 111);
    dev.write({ 'docs/email.md': 'the email column\n' });
    const pushed = dev.commit('dana documents the column');
    github.push(111, pushed, 'dana');
    const head = { ...pr, headSha: pushed };
    for (const who of ['tom', 'olivia', 'dana']) await approve(dev.dir, head, who);
    expect(lastStatus(head)).toBe(
      'failure: cannot be approved: no one but the author and contributors of this PR holds role dba',
    );
    expect(github.commentOf(111)).toContain(
      `: dana pushed commit ${pushed.slice(0, 7)} to this PR; contributors cannot approve it`,
    );
  });

  it('a commit authored by someone else counts them as a contributor too', async () => {
    const { dev } = project();
    const pr = openPr(dev, 112);
    dev.write({ 'docs/email.md': 'the email column\n' });
    const pushed = dev.commit('olivia wrote this, devon pushed it');
    github.push(112, pushed, 'olivia', 'devon');
    const head = { ...pr, headSha: pushed };
    await approve(dev.dir, head, 'tom');
    await approve(dev.dir, head, 'olivia');
    expect(lastStatus(head)).toBe(
      'failure: cannot be approved: no one but the author and contributors of this PR holds role project-owner',
    );
    expect(github.commentOf(112)).toContain(`: olivia authored commit ${pushed.slice(0, 7)} of this PR`);
  });
});

describe('a standing request for changes blocks the flow', { timeout: 120_000 }, () => {
  it('blocks until that person approves', async () => {
    const { dev } = project();
    const pr = openPr(dev, 121);
    await approve(dev.dir, pr, 'dana', 'CHANGES_REQUESTED');
    await approve(dev.dir, pr, 'tom');
    await approve(dev.dir, pr, 'olivia');
    expect(lastStatus(pr)).toBe('failure: rejected by @dana');
    expect(github.commentOf(121)).toContain(
      '@dana requested changes: the flow is blocked until they approve or the review is dismissed',
    );
    const approved = await approve(dev.dir, pr, 'dana');
    expect(approved.outputs.approved).toBe('true');
    expect(lastStatus(pr)).toBe('success: risk high: approved by tom, olivia, dana');
  });

  it('no longer blocks once the review is dismissed', async () => {
    const { dev } = project();
    const pr = openPr(dev, 122);
    await approve(dev.dir, pr, 'dana', 'CHANGES_REQUESTED');
    expect(lastStatus(pr)).toBe('failure: rejected by @dana');
    const review = github.prs.get(122)?.reviews.at(-1) as { state: string };
    review.state = 'DISMISSED';
    await check(dev.dir, pr, reviewEvent('dismissed', pr, 'dana', 'DISMISSED'));
    expect(lastStatus(pr)).toBe('pending: waiting for Tester (0 of 1)');
  });

  it('does not block for someone who holds none of the flow roles', async () => {
    const { dev } = project();
    const pr = openPr(dev, 123);
    await approve(dev.dir, pr, 'mallory', 'CHANGES_REQUESTED');
    expect(lastStatus(pr)).toBe('pending: waiting for Tester (0 of 1)');
  });

  it('does not block a flow with blockOnChangesRequested: false', async () => {
    const { dev } = project();
    dev.write({
      'policies/approval-flows.yaml':
        'flows:\n  - {id: tester-owner-dba, title: Tester → Project Owner → DBA, steps: [tester, project-owner, dba], blockOnChangesRequested: false}\nassignments:\n  - {source: ddl, level: high, flow: tester-owner-dba}\n',
    });
    dev.commit('requests for changes do not block');
    dev.git('push', '-q', 'origin', 'main');
    const pr = openPr(dev, 124);
    await approve(dev.dir, pr, 'dana', 'CHANGES_REQUESTED');
    expect(lastStatus(pr)).toBe('pending: waiting for Tester (0 of 1)');
  });
});

describe('a rebase does not cost re-approvals when the SQL is unchanged', { timeout: 120_000 }, () => {
  it('fetches the approved commit by SHA from origin when the checkout lacks it', async () => {
    const { origin, dev } = project();
    const pr = openPr(dev, 131);
    for (const who of ['tom', 'olivia', 'dana']) github.review(131, who, 'APPROVED', pr.headSha);
    // main moves on with a docs-only commit; the author rebases and force-pushes.
    dev.git('checkout', '-q', 'main');
    dev.write({ 'README.md': 'docs\n' });
    const main = dev.commit('docs');
    dev.git('push', '-q', 'origin', 'main');
    dev.git('checkout', '-q', 'pr-131');
    dev.git('rebase', '-q', 'main');
    dev.git('push', '-q', '-f', 'origin', 'pr-131');
    const rebased = { ...pr, baseSha: main, headSha: dev.git('rev-parse', 'HEAD') };
    github.push(131, rebased.headSha, 'devon');
    // The runner's checkout: a fresh clone, which holds no commit the branch no longer reaches.
    const workspace = tempDir();
    git(workspace, 'clone', '-q', `file://${origin}`, '.');
    git(workspace, 'checkout', '-q', rebased.headSha);
    expect(() => git(workspace, 'cat-file', '-e', `${pr.headSha}^{commit}`)).toThrow();

    const r = await check(workspace, rebased);
    expect(github.statusesOf(rebased.headSha)).toEqual(['success: risk high: approved by tom, olivia, dana']);
    expect(r.outputs.approved).toBe('true');
  });

  it('keeps approvals across a rebase onto a main that gained other migrations and policies', async () => {
    const { dev } = project();
    const pr = openPr(dev, 133);
    for (const who of ['tom', 'olivia', 'dana']) github.review(133, who, 'APPROVED', pr.headSha);
    // Another PR merged meanwhile: a migration of its own and a new role member.
    dev.git('checkout', '-q', 'main');
    dev.write({
      'migrations/test_db/1.0.5_other.sql': 'CREATE TABLE t2 (id INT PRIMARY KEY);\n',
      'policies/roles.yaml':
        'roles:\n  - {id: workspace-owner, members: [alice]}\n  - {id: project-owner, members: [olivia]}\n  - {id: dba, members: [dana, dave]}\n  - {id: developer, members: [devon]}\n  - {id: tester, title: Tester, members: [tom]}\n',
    });
    const main = dev.commit('another PR');
    dev.git('push', '-q', 'origin', 'main');
    dev.git('checkout', '-q', 'pr-133');
    dev.git('rebase', '-q', 'main');
    const rebased = { ...pr, baseSha: main, headSha: dev.git('rev-parse', 'HEAD') };
    github.push(133, rebased.headSha, 'devon');
    await check(dev.dir, rebased);
    expect(github.statusesOf(rebased.headSha)).toEqual(['success: risk high: approved by tom, olivia, dana']);

    // The same rebase with the SQL edited does cost them.
    dev.write({
      'migrations/test_db/1.1.0_add_email.sql': 'ALTER TABLE t1 ADD COLUMN email VARCHAR(200);\n',
    });
    const edited = { ...rebased, headSha: dev.commit('wider email') };
    github.push(133, edited.headSha, 'devon');
    await check(dev.dir, edited);
    expect(github.statusesOf(edited.headSha)).toEqual(['pending: waiting for Tester (0 of 1)']);
  });

  it('says the approved commit is no longer available when origin does not have it either', async () => {
    const { dev } = project();
    const pr = openPr(dev, 132);
    github.review(132, 'tom', 'APPROVED', 'c0ffee'.padEnd(40, '0'));
    await check(dev.dir, pr);
    expect(lastStatus(pr)).toBe('pending: waiting for Tester (0 of 1)');
    const comment = github.commentOf(132) as string;
    expect(comment).toContain(
      'stale: the commit it approved is no longer available; approve the current version',
    );
    expect(comment).not.toContain('the migrations or policies changed after it');
  });
});

describe('a status the token may not set', { timeout: 120_000 }, () => {
  it('names the permission the workflow needs', async () => {
    const { dev } = project();
    const pr = openPr(dev, 141);
    github.forbidden.add('statuses');
    try {
      const r = await check(dev.dir, pr);
      expect(r.code).not.toBe(0);
      expect(r.stdout).toContain(
        "::error::sqlgate: cannot set the sqlgate/approval status (HTTP 403: Resource not accessible by integration): the workflow's token needs the `statuses: write` permission",
      );
      expect(r.stdout).not.toContain('fork');
    } finally {
      github.forbidden.clear();
    }
  });

  it('for a PR from a fork, points to the README section on forks', async () => {
    const { dev } = project();
    const pr = openPr(dev, 142);
    const payload = pullRequestEvent('opened', pr);
    payload.pull_request.head.repo = {
      ...repository(),
      full_name: 'mallory/shop',
      fork: true,
      owner: user('mallory'),
    };
    github.forbidden.add('statuses');
    github.forbidden.add('comments');
    try {
      const r = await check(dev.dir, pr, payload);
      expect(r.code).not.toBe(0);
      const error = r.stdout.split('\n').find((l) => l.startsWith('::error::')) as string;
      expect(error).toContain('(HTTP 403: Resource not accessible by integration)');
      expect(error).toContain('`pull-requests: write`');
      expect(error).toContain(
        "this pull request comes from a fork, and GitHub gives a fork's workflow a read-only token: see README.md#forks",
      );
    } finally {
      github.forbidden.clear();
    }
  });
});
