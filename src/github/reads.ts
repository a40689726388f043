// What a check reads from GitHub. File contents come from the checkout, so the number of
// requests does not grow with the number of migration files.
import type { Contributor, Review, ReviewState, TeamMembers } from '../approval/types.js';
import type { GitHub } from './client.js';

export interface RepoRef {
  readonly owner: string;
  readonly repo: string;
}

// GitHub's pull request files endpoint lists at most 3,000 files.
export const PR_FILES_LIMIT = 3000;

/** Changed file paths of a PR, or undefined when it has more than GitHub will list. */
export async function listPullFiles(
  github: GitHub,
  ref: RepoRef,
  pull: number,
  changedFiles: number,
): Promise<string[] | undefined> {
  if (changedFiles > PR_FILES_LIMIT) return undefined;
  const files = await github.paginate(github.rest.pulls.listFiles, {
    ...ref,
    pull_number: pull,
    per_page: 100,
  });
  return files.flatMap((f) => (f.previous_filename ? [f.filename, f.previous_filename] : [f.filename]));
}

/** Every review of a PR in submission order; pending (unsubmitted) reviews are left out. */
export async function listReviews(github: GitHub, ref: RepoRef, pull: number): Promise<Review[]> {
  const reviews = await github.paginate(github.rest.pulls.listReviews, {
    ...ref,
    pull_number: pull,
    per_page: 100,
  });
  return reviews
    .flatMap((r) => toReview(r) ?? [])
    .sort((a, b) => Date.parse(a.submittedAt) - Date.parse(b.submittedAt) || a.id - b.id);
}

// GitHub's own identity on commits it makes (web edits, merges): a person did not push those.
const GITHUB_COMMITTER = 'web-flow';

/**
 * Everyone who authored or committed a commit of the PR, in commit order. Commits whose git
 * identity is linked to no GitHub account name no one. The endpoint lists at most 250 commits.
 */
export async function listPullContributors(
  github: GitHub,
  ref: RepoRef,
  pull: number,
): Promise<Contributor[]> {
  const commits = await github.paginate(github.rest.pulls.listCommits, {
    ...ref,
    pull_number: pull,
    per_page: 100,
  });
  const loginOf = (who: unknown) =>
    who && typeof who === 'object' && 'login' in who ? String(who.login) : undefined;
  return commits.flatMap((c) => {
    const author = loginOf(c.author);
    const committer = loginOf(c.committer);
    return [
      ...(committer && committer !== GITHUB_COMMITTER
        ? [{ login: committer, commit: c.sha, pushed: true }]
        : []),
      ...(author && author !== committer ? [{ login: author, commit: c.sha, pushed: false }] : []),
    ];
  });
}

/** The fields of GitHub's review object that sqlgate reads. */
export interface GitHubReview {
  readonly id: number | bigint;
  readonly user: { readonly login: string } | null;
  readonly state: string;
  readonly submitted_at?: string;
  readonly commit_id: string | null;
}

/** A submitted review as the approval function takes it; pending (unsubmitted) ones are none. */
export function toReview(r: GitHubReview): Review | undefined {
  if (r.state === 'PENDING' || !r.submitted_at) return undefined;
  return {
    id: Number(r.id),
    user: r.user?.login ?? null,
    state: r.state as ReviewState,
    submittedAt: r.submitted_at,
    commitId: r.commit_id ?? '',
  };
}

/**
 * Members of `org/team` roles. A team the token cannot read holds no one (fail closed), with a
 * note that says which permission is missing.
 */
export async function resolveTeams(
  github: GitHub,
  teams: readonly string[],
): Promise<Map<string, TeamMembers>> {
  const resolved = new Map<string, TeamMembers>();
  for (const team of new Set(teams.map((t) => t.toLowerCase()))) {
    const [org = '', slug = ''] = team.split('/');
    try {
      const members = await github.paginate(github.rest.teams.listMembersInOrg, {
        org,
        team_slug: slug,
        per_page: 100,
      });
      resolved.set(team, { members: members.map((m) => m.login) });
    } catch (error) {
      const status = (error as { status?: number }).status;
      const why =
        status === 404 || status === 403
          ? `cannot read team ${team} (HTTP ${status}): the token needs organization "Members: read" permission (a GitHub App token or a PAT with read:org; the default GITHUB_TOKEN cannot read teams), so the team's members cannot approve`
          : `cannot read team ${team}: ${(error as Error).message}`;
      resolved.set(team, { error: why });
    }
  }
  return resolved;
}
