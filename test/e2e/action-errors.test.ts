// Bad input to the Action ends with one clear error line and a failed step, and changes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runStep } from '../support/action-runner.js';
import { pullRequestEvent, pushEvent } from '../support/events.js';
import { TempRepo } from '../support/git-repo.js';
import { FakeGitHub } from '../support/github-server.js';

let github: FakeGitHub;
let api: string;
let repo: TempRepo;
let base: string;
let head: string;

beforeAll(async () => {
  github = new FakeGitHub();
  api = await github.start();
  repo = new TempRepo();
  repo.write({ 'migrations/test_db/1.0.0_init.sql': 'CREATE TABLE t1 (id INT);\n' });
  base = repo.commit('init');
  repo.write({ 'migrations/test_db/1.0.1_more.sql': 'ALTER TABLE t1 ADD c INT;\n' });
  head = repo.commit('more');
  github.openPr({
    number: 9,
    author: 'devon',
    baseSha: base,
    headSha: head,
    files: ['migrations/test_db/1.0.1_more.sql'],
  });
});
afterAll(async () => {
  await github.stop();
  repo.cleanup();
});

const pr = () => ({ number: 9, author: 'devon', baseSha: base, headSha: head, changedFiles: 1 });
const errors = (stdout: string) => stdout.split('\n').filter((l) => l.startsWith('::error::'));
/** The PR check on PR 9 with these inputs. */
const checkWith = (inputs: Record<string, string>) =>
  runStep({
    eventName: 'pull_request',
    payload: pullRequestEvent('opened', pr()),
    workspace: repo.dir,
    apiUrl: api,
    sha: head,
    inputs,
  });

describe('the Action on bad input', () => {
  it('a malformed event payload', async () => {
    const r = await runStep({
      eventName: 'pull_request',
      payload: '{"pull_request": ',
      workspace: repo.dir,
      apiUrl: api,
      sha: head,
    });
    expect(r.code).toBe(1);
    expect(errors(r.stdout)).toEqual([
      expect.stringMatching(/^::error::sqlgate: the event payload .*event\.json is not valid JSON: /),
    ]);
    expect(github.statuses).toEqual([]);
  });

  it('a payload without the pull request', async () => {
    const r = await runStep({
      eventName: 'pull_request',
      payload: { action: 'opened' },
      workspace: repo.dir,
      apiUrl: api,
      sha: head,
    });
    expect(r.code).toBe(1);
    expect(errors(r.stdout)).toEqual([
      '::error::sqlgate: the pull_request payload has no pull_request with number, user.login, base.sha and head.sha',
    ]);
  });

  it('a missing token', async () => {
    const r = await checkWith({ 'github-token': '' });
    expect(r.code).toBe(1);
    expect(errors(r.stdout)).toEqual([
      '::error::sqlgate: input github-token is empty: leave it at its default (the workflow token, `secrets.GITHUB_TOKEN`) or pass a token with pull-requests: write and statuses: write',
    ]);
    expect(github.statuses).toEqual([]);
  });

  it('a missing policy directory on deploy', async () => {
    const r = await runStep({
      eventName: 'push',
      payload: pushEvent('refs/heads/main', base, head, 'devon'),
      workspace: repo.dir,
      apiUrl: api,
      sha: head,
      inputs: { 'policies-dir': 'nope' },
    });
    expect(r.code).toBe(1);
    expect(errors(r.stdout)).toEqual([
      '::error::sqlgate: policies directory not found: nope (create it with roles.yaml, risk-rules.yaml, approval-flows.yaml, environments.yaml, or pass --policies DIR)',
    ]);
  });

  it('a missing policy directory on a PR check fails the status and says so', async () => {
    const r = await checkWith({ 'policies-dir': 'nope' });
    expect(r.code).toBe(1);
    expect(errors(r.stdout)).toEqual([
      expect.stringMatching(/^::error::sqlgate: no policy files in nope\/ at the base /),
    ]);
    expect(github.statusesOf(head)).toEqual([
      expect.stringMatching(/^failure: policy or migration errors: no policy files in nope\//),
    ]);
  });

  it.each([
    ['whatif-limit', '0', 'input whatif-limit must be a whole number ≥ 1 (or empty for all), not "0"'],
    ['whatif-budget', 'soon', 'input whatif-budget must be a number of seconds > 0, not "soon"'],
  ])('a bad %s (%s)', async (input, value, message) => {
    const r = await checkWith({ [input]: value });
    expect(r.code).toBe(1);
    expect(errors(r.stdout)).toEqual([`::error::sqlgate: ${message}`]);
  });

  it('an unknown mode', async () => {
    const r = await checkWith({ mode: 'yolo' });
    expect(r.code).toBe(1);
    expect(errors(r.stdout)).toEqual([
      '::error::sqlgate: input mode must be one of auto, check, deploy, plan, not "yolo"',
    ]);
  });
});
