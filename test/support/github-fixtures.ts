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

/** A commit as the PR commits endpoint lists it; `null` is a git identity linked to no account. */
export function prCommit(sha: string, author: string | null, committer: string | null): Schemas['commit'] {
  const gitUser = (login: string | null) => ({
    name: login ?? 'Someone',
    email: `${login ?? 'someone'}@example.com`,
    date: '2026-11-25T08:30:00Z',
  });
  return {
    url: `${API}/repos/${OWNER}/${REPO}/commits/${sha}`,
    sha,
    node_id: `C_${sha.slice(0, 10)}`,
    html_url: `https://github.com/${OWNER}/${REPO}/commit/${sha}`,
    comments_url: `${API}/repos/${OWNER}/${REPO}/commits/${sha}/comments`,
    commit: {
      url: `${API}/repos/${OWNER}/${REPO}/git/commits/${sha}`,
      author: gitUser(author),
      committer: gitUser(committer),
      message: 'change',
      comment_count: 0,
      tree: { sha: '0'.repeat(40), url: `${API}/repos/${OWNER}/${REPO}/git/trees/${'0'.repeat(40)}` },
    },
    author: author === null ? null : user(author),
    committer: committer === null ? null : user(committer),
    parents: [],
  };
}

/** GitHub's pagination header for page `page` of `last`. */
export function linkHeader(path: string, page: number, last: number): Record<string, string> {
  if (page >= last) return {};
  return {
    link: `<${API}${path}?per_page=100&page=${page + 1}>; rel="next", <${API}${path}?per_page=100&page=${last}>; rel="last"`,
  };
}

export function repository(): Schemas['repository'] {
  return {
    id: 1296269,
    node_id: 'R_kgDOshop',
    name: REPO,
    full_name: `${OWNER}/${REPO}`,
    license: null,
    forks: 0,
    owner: user(OWNER),
    private: false,
    html_url: `${API}/repos/${OWNER}/${REPO}/html`,
    description: null,
    fork: false,
    url: `${API}/repos/${OWNER}/${REPO}/url`,
    archive_url: `${API}/repos/${OWNER}/${REPO}/archive`,
    assignees_url: `${API}/repos/${OWNER}/${REPO}/assignees`,
    blobs_url: `${API}/repos/${OWNER}/${REPO}/blobs`,
    branches_url: `${API}/repos/${OWNER}/${REPO}/branches`,
    collaborators_url: `${API}/repos/${OWNER}/${REPO}/collaborators`,
    comments_url: `${API}/repos/${OWNER}/${REPO}/comments`,
    commits_url: `${API}/repos/${OWNER}/${REPO}/commits`,
    compare_url: `${API}/repos/${OWNER}/${REPO}/compare`,
    contents_url: `${API}/repos/${OWNER}/${REPO}/contents`,
    contributors_url: `${API}/repos/${OWNER}/${REPO}/contributors`,
    deployments_url: `${API}/repos/${OWNER}/${REPO}/deployments`,
    downloads_url: `${API}/repos/${OWNER}/${REPO}/downloads`,
    events_url: `${API}/repos/${OWNER}/${REPO}/events`,
    forks_url: `${API}/repos/${OWNER}/${REPO}/forks`,
    git_commits_url: `${API}/repos/${OWNER}/${REPO}/git_commits`,
    git_refs_url: `${API}/repos/${OWNER}/${REPO}/git_refs`,
    git_tags_url: `${API}/repos/${OWNER}/${REPO}/git_tags`,
    git_url: `${API}/repos/${OWNER}/${REPO}/git`,
    issue_comment_url: `${API}/repos/${OWNER}/${REPO}/issue_comment`,
    issue_events_url: `${API}/repos/${OWNER}/${REPO}/issue_events`,
    issues_url: `${API}/repos/${OWNER}/${REPO}/issues`,
    keys_url: `${API}/repos/${OWNER}/${REPO}/keys`,
    labels_url: `${API}/repos/${OWNER}/${REPO}/labels`,
    languages_url: `${API}/repos/${OWNER}/${REPO}/languages`,
    merges_url: `${API}/repos/${OWNER}/${REPO}/merges`,
    milestones_url: `${API}/repos/${OWNER}/${REPO}/milestones`,
    notifications_url: `${API}/repos/${OWNER}/${REPO}/notifications`,
    pulls_url: `${API}/repos/${OWNER}/${REPO}/pulls`,
    releases_url: `${API}/repos/${OWNER}/${REPO}/releases`,
    ssh_url: `${API}/repos/${OWNER}/${REPO}/ssh`,
    stargazers_url: `${API}/repos/${OWNER}/${REPO}/stargazers`,
    statuses_url: `${API}/repos/${OWNER}/${REPO}/statuses`,
    subscribers_url: `${API}/repos/${OWNER}/${REPO}/subscribers`,
    subscription_url: `${API}/repos/${OWNER}/${REPO}/subscription`,
    tags_url: `${API}/repos/${OWNER}/${REPO}/tags`,
    teams_url: `${API}/repos/${OWNER}/${REPO}/teams`,
    trees_url: `${API}/repos/${OWNER}/${REPO}/trees`,
    clone_url: `${API}/repos/${OWNER}/${REPO}/clone`,
    mirror_url: null,
    hooks_url: `${API}/repos/${OWNER}/${REPO}/hooks`,
    svn_url: `${API}/repos/${OWNER}/${REPO}/svn`,
    homepage: null,
    language: null,
    forks_count: 0,
    stargazers_count: 0,
    watchers_count: 0,
    size: 0,
    default_branch: 'main',
    open_issues_count: 0,
    has_issues: false,
    has_projects: false,
    has_wiki: false,
    has_pages: false,
    has_downloads: false,
    archived: false,
    disabled: false,
    pushed_at: null,
    created_at: null,
    updated_at: null,
    open_issues: 0,
    watchers: 0,
  };
}

function link(href: string): Schemas['link'] {
  return { href };
}

export function pullRequest(options: {
  number: number;
  author: string;
  baseSha: string;
  headSha: string;
  mergedAt: string | null;
  mergeCommitSha: string | null;
  headRef?: string;
}): Schemas['pull-request-simple'] {
  const { number } = options;
  const base = `${API}/repos/${OWNER}/${REPO}`;
  const html = `https://github.com/${OWNER}/${REPO}/pull/${number}`;
  return {
    url: `${base}/pulls/${number}`,
    id: 900_000 + number,
    node_id: `PR_${number}`,
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    issue_url: `${base}/issues/${number}`,
    commits_url: `${base}/pulls/${number}/commits`,
    review_comments_url: `${base}/pulls/${number}/comments`,
    review_comment_url: `${base}/pulls/comments{/number}`,
    comments_url: `${base}/issues/${number}/comments`,
    statuses_url: `${base}/statuses/${options.headSha}`,
    number,
    state: options.mergedAt ? 'closed' : 'open',
    locked: false,
    title: `Change #${number}`,
    user: user(options.author),
    body: null,
    labels: [],
    milestone: null,
    created_at: '2026-11-25T08:00:00Z',
    updated_at: options.mergedAt ?? '2026-11-25T08:00:00Z',
    closed_at: options.mergedAt,
    merged_at: options.mergedAt,
    merge_commit_sha: options.mergeCommitSha,
    assignee: null,
    head: {
      label: `${OWNER}:${options.headRef ?? 'feature'}`,
      ref: options.headRef ?? 'feature',
      repo: repository(),
      sha: options.headSha,
      user: user(options.author),
    },
    base: {
      label: `${OWNER}:main`,
      ref: 'main',
      repo: repository(),
      sha: options.baseSha,
      user: user(OWNER),
    },
    _links: {
      comments: link(`${base}/issues/${number}/comments`),
      commits: link(`${base}/pulls/${number}/commits`),
      statuses: link(`${base}/statuses/${options.headSha}`),
      html: link(html),
      issue: link(`${base}/issues/${number}`),
      review_comments: link(`${base}/pulls/${number}/comments`),
      review_comment: link(`${base}/pulls/comments{/number}`),
      self: link(`${base}/pulls/${number}`),
    },
    author_association: 'MEMBER',
    auto_merge: null,
  };
}
