// nock interceptors for the endpoints a check uses, replying with GitHub-shaped payloads and
// recording what sqlgate wrote.
import nock from 'nock';
import {
  commitStatus,
  issueComment,
  linkHeader,
  OWNER,
  prCommit,
  prFile,
  REPO,
  review,
} from './github-fixtures.js';

export interface StubReview {
  readonly user: string | null;
  readonly state: 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'DISMISSED';
  readonly at: string;
  readonly commit: string;
}

export interface Recorded {
  comments: string[];
  statuses: { sha: string; state: string; description: string }[];
  requests: number;
}

export function stubGitHub(options: {
  api?: string;
  pull?: number;
  files: string[];
  reviews: StubReview[];
  teams?: Record<string, string[] | 404>;
  existingComment?: string;
  /** The PR's commits: who authored and who committed each (default: none listed). */
  commits?: { sha: string; author: string | null; committer: string | null }[];
  /** Reply 403 to the commit status, as GitHub does when the token lacks `statuses: write`. */
  statusForbidden?: boolean;
}): Recorded {
  const api = options.api ?? 'https://api.github.com';
  const pull = options.pull ?? 7;
  const recorded: Recorded = { comments: [], statuses: [], requests: 0 };
  const scope = nock(api).persist();
  scope.on('request', () => {
    recorded.requests++;
  });
  const base = `/repos/${OWNER}/${REPO}`;
  const paged = <T>(path: string, items: T[]) => {
    const pages = Math.max(1, Math.ceil(items.length / 100));
    for (let p = 1; p <= pages; p++) {
      scope
        .get(path)
        .query((q) => Number(q.page ?? 1) === p)
        .reply(200, items.slice((p - 1) * 100, p * 100), linkHeader(path, p, pages));
    }
  };
  paged(
    `${base}/pulls/${pull}/files`,
    options.files.map((f) => prFile(f)),
  );
  paged(
    `${base}/pulls/${pull}/reviews`,
    options.reviews.map((r) => review(r.user, r.state, r.at, r.commit, pull)),
  );
  paged(
    `${base}/pulls/${pull}/commits`,
    (options.commits ?? []).map((c) => prCommit(c.sha, c.author, c.committer)),
  );
  for (const [team, members] of Object.entries(options.teams ?? {})) {
    const [org, slug] = team.split('/');
    const path = `/orgs/${org}/teams/${slug}/members`;
    if (members === 404) scope.get(path).query(true).reply(404, { message: 'Not Found' });
    else
      paged(
        path,
        members.map((m) => review(m, 'COMMENTED', '2026-11-25T00:00:00Z', 'x').user),
      );
  }
  let current = options.existingComment ? issueComment(options.existingComment, pull) : undefined;
  scope
    .get(`${base}/issues/${pull}/comments`)
    .query(true)
    .reply(200, () => (current ? [current] : []));
  scope.post(`${base}/issues/${pull}/comments`).reply(201, (_uri, body) => {
    const text = (body as { body: string }).body;
    recorded.comments.push(text);
    current = issueComment(text, pull);
    return current;
  });
  scope.patch(/\/repos\/acme\/shop\/issues\/comments\/\d+/).reply(200, (_uri, body) => {
    const text = (body as { body: string }).body;
    recorded.comments.push(text);
    current = { ...(current as ReturnType<typeof issueComment>), body: text };
    return current;
  });
  if (options.statusForbidden) {
    scope.post(/\/repos\/acme\/shop\/statuses\/[0-9a-f]+/).reply(403, {
      message: 'Resource not accessible by integration',
      documentation_url: 'https://docs.github.com/rest/commits/statuses#create-a-commit-status',
      status: '403',
    });
    return recorded;
  }
  scope.post(/\/repos\/acme\/shop\/statuses\/[0-9a-f]+/).reply(201, (uri, body) => {
    const { state, description } = body as { state: string; description: string };
    const sha = uri.split('/').pop() as string;
    recorded.statuses.push({ sha, state, description });
    return commitStatus(sha, state, description);
  });
  return recorded;
}
