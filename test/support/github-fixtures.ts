// Reply payloads shaped exactly like GitHub's REST API; the openapi-types definitions make the
// compiler check every field, so a fixture cannot drift from what GitHub sends.
import type { components } from '@octokit/openapi-types';

type Schemas = components['schemas'];
export const OWNER = 'acme';
export const REPO = 'shop';
const API = 'https://api.github.com';

let nextId = 1000;

export function user(login: string): Schemas['simple-user'] {
  const id = nextId++;
  return {
    login,
    id,
    node_id: `U_${id}`,
    avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
    gravatar_id: '',
    url: `${API}/users/${login}`,
    html_url: `https://github.com/${login}`,
    followers_url: `${API}/users/${login}/followers`,
    following_url: `${API}/users/${login}/following{/other_user}`,
    gists_url: `${API}/users/${login}/gists{/gist_id}`,
    starred_url: `${API}/users/${login}/starred{/owner}{/repo}`,
    subscriptions_url: `${API}/users/${login}/subscriptions`,
    organizations_url: `${API}/users/${login}/orgs`,
    repos_url: `${API}/users/${login}/repos`,
    events_url: `${API}/users/${login}/events{/privacy}`,
    received_events_url: `${API}/users/${login}/received_events`,
    type: 'User',
    site_admin: false,
  };
}

export function review(
  login: string | null,
  state: 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'DISMISSED',
  submittedAt: string,
  commitId: string,
  pull = 7,
): Schemas['pull-request-review'] {
  const id = nextId++;
  return {
    id,
    node_id: `PRR_${id}`,
    user: login === null ? null : user(login),
    body: '',
    state,
    html_url: `https://github.com/${OWNER}/${REPO}/pull/${pull}#pullrequestreview-${id}`,
    pull_request_url: `${API}/repos/${OWNER}/${REPO}/pulls/${pull}`,
    _links: {
      html: { href: `https://github.com/${OWNER}/${REPO}/pull/${pull}#pullrequestreview-${id}` },
      pull_request: { href: `${API}/repos/${OWNER}/${REPO}/pulls/${pull}` },
    },
    submitted_at: submittedAt,
    commit_id: commitId,
    author_association: 'MEMBER',
  };
}

export function prFile(
  filename: string,
  status: Schemas['diff-entry']['status'] = 'added',
): Schemas['diff-entry'] {
  return {
    sha: '0'.repeat(40),
    filename,
    status,
    additions: 1,
    deletions: 0,
    changes: 1,
    blob_url: `https://github.com/${OWNER}/${REPO}/blob/main/${filename}`,
    raw_url: `https://github.com/${OWNER}/${REPO}/raw/main/${filename}`,
    contents_url: `${API}/repos/${OWNER}/${REPO}/contents/${filename}`,
  };
}

export function issueComment(
  body: string,
  pull = 7,
  login = 'github-actions[bot]',
): Schemas['issue-comment'] {
  const id = nextId++;
  return {
    id,
    node_id: `IC_${id}`,
    url: `${API}/repos/${OWNER}/${REPO}/issues/comments/${id}`,
    body,
    html_url: `https://github.com/${OWNER}/${REPO}/pull/${pull}#issuecomment-${id}`,
    user: user(login),
    created_at: '2026-11-25T09:00:00Z',
    updated_at: '2026-11-25T09:00:00Z',
    issue_url: `${API}/repos/${OWNER}/${REPO}/issues/${pull}`,
    author_association: 'NONE',
  };
}

export function commitStatus(sha: string, state: string, description: string): Schemas['status'] {
  const id = nextId++;
  return {
    url: `${API}/repos/${OWNER}/${REPO}/statuses/${sha}`,
    avatar_url: null,
    id,
    node_id: `SC_${id}`,
    state,
    description,
    target_url: null,
    context: 'sqlgate/approval',
    created_at: '2026-11-25T09:00:00Z',
    updated_at: '2026-11-25T09:00:00Z',
    creator: user('github-actions[bot]'),
  };
}

/** GitHub's pagination header for page `page` of `last`. */
export function linkHeader(path: string, page: number, last: number): Record<string, string> {
  if (page >= last) return {};
  return {
    link: `<${API}${path}?per_page=100&page=${page + 1}>; rel="next", <${API}${path}?per_page=100&page=${last}>; rel="last"`,
  };
}
