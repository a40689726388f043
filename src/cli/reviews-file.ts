// `plan --reviews FILE`: the approval state a PR would have, from its reviews as GitHub lists
// them (`gh api repos/OWNER/REPO/pulls/N/reviews > reviews.json`), evaluated offline.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { approvalsForPlan } from '../approval/for-plan.js';
import type { ApprovalResult, Review } from '../approval/types.js';
import { InputError } from '../errors.js';
import type { GitRepo } from '../git/repo.js';
import { type GitHubReview, toReview } from '../github/reads.js';
import type { PlanResult } from '../plan/plan.js';
import type { CliIo } from './io.js';

/** The PR's reviews from the file, checked before any planning work starts. */
export function readReviewsFile(
  io: CliIo,
  file: string,
  author: string | undefined,
): { reviews: Review[]; author: string } {
  if (!author)
    throw new InputError('--reviews needs --author LOGIN (the PR author, whose own approval never counts)');
  let list: GitHubReview[];
  try {
    list = JSON.parse(readFileSync(resolve(io.cwd, file), 'utf8')) as GitHubReview[];
  } catch (error) {
    throw new InputError(
      `${file}: cannot read the reviews (${(error as Error).message}); expected the JSON list GitHub returns for GET /repos/OWNER/REPO/pulls/N/reviews`,
    );
  }
  if (!Array.isArray(list)) throw new InputError(`${file}: expected a JSON list of reviews`);
  const reviews = list
    .flatMap((r) => toReview(r) ?? [])
    .sort((a, b) => Date.parse(a.submittedAt) - Date.parse(b.submittedAt));
  return { reviews, author };
}

export function approvalsFromReviews(
  repo: GitRepo,
  plan: PlanResult,
  given: { reviews: Review[]; author: string },
): Promise<ApprovalResult[]> {
  return approvalsForPlan({ repo, plan, ...given, teams: new Map(), headSha: plan.head.commit });
}
