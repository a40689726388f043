// `whatif --past-reviews`: the GitHub client and repository the re-evaluation needs, from the
// environment the way the Action has them (GITHUB_TOKEN, GITHUB_REPOSITORY, GITHUB_API_URL).
import { InputError } from '../errors.js';
import type { GitRepo } from '../git/repo.js';
import { createGitHub, type GitHub } from '../github/client.js';
import type { RepoRef } from '../github/reads.js';
import type { CliIo } from './io.js';

export interface GitHubAccess {
  readonly github: GitHub;
  readonly ref: RepoRef;
  readonly repo: GitRepo;
}

export function gitHubAccess(io: CliIo, repo: GitRepo, name: string | undefined): GitHubAccess {
  const token = io.env.GITHUB_TOKEN ?? io.env.GH_TOKEN;
  if (!token)
    throw new InputError('--past-reviews reads reviews from GitHub: set GITHUB_TOKEN (or GH_TOKEN)');
  const full = name ?? io.env.GITHUB_REPOSITORY;
  const [owner, repoName, extra] = (full ?? '').split('/');
  if (!owner || !repoName || extra !== undefined)
    throw new InputError('--past-reviews needs the repository: --repo OWNER/NAME (or GITHUB_REPOSITORY)');
  return {
    github: createGitHub({
      token,
      ...(io.env.GITHUB_API_URL ? { baseUrl: io.env.GITHUB_API_URL } : {}),
      log: (m) => io.err(m),
    }),
    ref: { owner, repo: repoName },
    repo,
  };
}
