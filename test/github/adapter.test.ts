import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createGitHub } from '../../src/github/client.js';
import { listPullContributors, listPullFiles, listReviews, resolveTeams } from '../../src/github/reads.js';
import { COMMENT_MARKER, setStatus, upsertComment } from '../../src/github/writes.js';
import {
  commitStatus,
  issueComment,
  linkHeader,
  OWNER,
  prCommit,
  prFile,
  REPO,
  review,
} from '../support/github-fixtures.js';

const API = 'https://api.github.com';
const ref = { owner: OWNER, repo: REPO };
const github = () => createGitHub({ token: 'ghs_test', retryAfterScale: 1, writeIntervalMs: 0 });

beforeAll(() => nock.disableNetConnect());
afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  expect(pending, 'every mocked GitHub request was made').toEqual([]);
});
afterAll(() => nock.enableNetConnect());

describe('GitHub reads', () => {
  it('reads every page of reviews and keeps submission order, leaving pending reviews out', async () => {
    const path = `/repos/${OWNER}/${REPO}/pulls/7/reviews`;
    const page1 = Array.from({ length: 100 }, (_, i) =>
      review(`user${i}`, 'COMMENTED', `2026-11-25T09:${String(i % 60).padStart(2, '0')}:00Z`, 'abc'),
    );
    const page2 = [
      review('dana', 'APPROVED', '2026-11-25T11:00:00Z', 'abc'),
      { ...review('tom', 'APPROVED', '2026-11-25T10:59:00Z', 'abc') },
    ];
    const pending = {
      ...review('olivia', 'COMMENTED', '2026-11-25T11:01:00Z', 'abc'),
      state: 'PENDING',
      submitted_at: undefined,
    };
    nock(API)
      .get(path)
      .query({ per_page: 100 })
      .reply(200, page1, linkHeader(path, 1, 2));
    nock(API)
      .get(path)
      .query({ per_page: 100, page: 2 })
      .reply(200, [...page2, pending]);
    const reviews = await listReviews(github(), ref, 7);
    expect(reviews).toHaveLength(102);
    expect(reviews.slice(-2).map((r) => [r.user, r.state])).toEqual([
      ['tom', 'APPROVED'],
      ['dana', 'APPROVED'],
    ]);
  });

  it('reads every page of the PR commits for who authored and who pushed them', async () => {
    const path = `/repos/${OWNER}/${REPO}/pulls/7/commits`;
    const sha = (i: number) => i.toString(16).padStart(40, '0');
    const page1 = Array.from({ length: 100 }, (_, i) => prCommit(sha(i), 'devon', 'devon'));
    const page2 = [
      prCommit(sha(100), 'olivia', 'dana'),
      prCommit(sha(101), 'tom', 'web-flow'),
      prCommit(sha(102), null, null),
      { ...prCommit(sha(103), 'devon', 'devon'), author: {}, committer: {} },
    ];
    nock(API)
      .get(path)
      .query({ per_page: 100 })
      .reply(200, page1, linkHeader(path, 1, 2));
    nock(API).get(path).query({ per_page: 100, page: 2 }).reply(200, page2);
    const contributors = await listPullContributors(github(), ref, 7);
    expect(contributors.filter((c) => c.login !== 'devon')).toEqual([
      { login: 'dana', commit: sha(100), pushed: true },
      { login: 'olivia', commit: sha(100), pushed: false },
      { login: 'tom', commit: sha(101), pushed: false },
    ]);
  });

  it('keeps a review from a deleted account as a ghost', async () => {
    nock(API)
      .get(`/repos/${OWNER}/${REPO}/pulls/7/reviews`)
      .query(true)
      .reply(200, [review(null, 'APPROVED', '2026-11-25T09:00:00Z', 'abc')]);
    expect((await listReviews(github(), ref, 7))[0]?.user).toBeNull();
  });

  it('retries after a 403 rate-limit reply, as GitHub asks', async () => {
    const reset = Math.floor(Date.now() / 1000);
    nock(API)
      .get(`/repos/${OWNER}/${REPO}/pulls/7/files`)
      .query(true)
      .reply(
        403,
        {
          message: 'API rate limit exceeded for installation ID 1.',
          documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api',
        },
        {
          'x-ratelimit-limit': '5000',
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset': String(reset),
        },
      );
    nock(API)
      .get(`/repos/${OWNER}/${REPO}/pulls/7/files`)
      .query(true)
      .reply(200, [prFile('migrations/test_db/V2__a.sql')]);
    expect(await listPullFiles(github(), ref, 7, 1)).toEqual(['migrations/test_db/V2__a.sql']);
  });

  it('does not list the files of a PR larger than GitHub will list (the caller uses git)', async () => {
    expect(await listPullFiles(github(), ref, 7, 3001)).toBeUndefined();
  });

  it('fails closed on a team the token cannot read, naming the missing permission', async () => {
    nock(API).get('/orgs/acme/teams/dba-team/members').query(true).reply(404, {
      message: 'Not Found',
      documentation_url: 'https://docs.github.com/rest/teams/members#list-team-members',
    });
    nock(API)
      .get('/orgs/acme/teams/testers/members')
      .query(true)
      .reply(200, [{ ...user('Tina') }]);
    const teams = await resolveTeams(github(), ['acme/dba-team', 'acme/testers']);
    expect(teams.get('acme/testers')).toEqual({ members: ['Tina'] });
    expect(teams.get('acme/dba-team')).toEqual({
      error:
        'cannot read team acme/dba-team (HTTP 404): the token needs organization "Members: read" permission (a GitHub App token or a PAT with read:org; the default GITHUB_TOKEN cannot read teams), so the team\'s members cannot approve',
    });
  });
});

function user(login: string) {
  return review(login, 'COMMENTED', '2026-11-25T09:00:00Z', 'x').user as NonNullable<
    ReturnType<typeof review>['user']
  >;
}

describe('GitHub writes', () => {
  it('creates the sticky comment once and then updates it, never duplicating it', async () => {
    const comments = `/repos/${OWNER}/${REPO}/issues/7/comments`;
    const created: string[] = [];
    nock(API)
      .get(comments)
      .query(true)
      .reply(200, [issueComment('LGTM', 7, 'olivia')]);
    nock(API)
      .post(comments, (body) => {
        created.push(body.body);
        return true;
      })
      .reply(201, issueComment(`${COMMENT_MARKER}\nfirst`));
    const first = await upsertComment(github(), ref, 7, `${COMMENT_MARKER}\nfirst`);
    expect(first.created).toBe(true);

    const existing = issueComment(`${COMMENT_MARKER}\nfirst`);
    const updated: string[] = [];
    nock(API)
      .get(comments)
      .query(true)
      .reply(200, [issueComment('LGTM', 7, 'olivia'), existing]);
    nock(API)
      .patch(`/repos/${OWNER}/${REPO}/issues/comments/${existing.id}`, (body) => {
        updated.push(body.body);
        return true;
      })
      .reply(200, { ...existing, body: `${COMMENT_MARKER}\nsecond` });
    const second = await upsertComment(github(), ref, 7, `${COMMENT_MARKER}\nsecond`);
    expect(second).toEqual({ id: existing.id, created: false });
    expect(created).toEqual([`${COMMENT_MARKER}\nfirst`]);
    expect(updated).toEqual([`${COMMENT_MARKER}\nsecond`]);
  });

  it('does not rewrite a comment that is already current', async () => {
    const existing = issueComment(`${COMMENT_MARKER}\nsame`);
    nock(API).get(`/repos/${OWNER}/${REPO}/issues/7/comments`).query(true).reply(200, [existing]);
    expect(await upsertComment(github(), ref, 7, `${COMMENT_MARKER}\nsame`)).toEqual({
      id: existing.id,
      created: false,
    });
  });

  it('sets the sqlgate/approval status on the head commit: pending, then success', async () => {
    const sha = 'a'.repeat(40);
    const sent: unknown[] = [];
    nock(API)
      .post(`/repos/${OWNER}/${REPO}/statuses/${sha}`, (body) => {
        sent.push(body);
        return true;
      })
      .times(2)
      .reply(201, (_uri, body) =>
        commitStatus(sha, (body as { state: string }).state, (body as { description: string }).description),
      );
    await setStatus(github(), ref, sha, 'pending', 'waiting for DBA (0 of 1)');
    await setStatus(
      github(),
      ref,
      sha,
      'success',
      'risk high: approved by tom, olivia, dana',
      'https://github.com/acme/shop/actions/runs/1',
    );
    expect(sent).toEqual([
      { state: 'pending', context: 'sqlgate/approval', description: 'waiting for DBA (0 of 1)' },
      {
        state: 'success',
        context: 'sqlgate/approval',
        description: 'risk high: approved by tom, olivia, dana',
        target_url: 'https://github.com/acme/shop/actions/runs/1',
      },
    ]);
  });
});
