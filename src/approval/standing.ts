// Which approvals still stand: APPROVED reviews that were not dismissed, withdrawn by a later
// request for changes, made stale by a later change, or given by the author or a deleted account.
import type { ApprovalInput, CountedApproval, IgnoredApproval, IgnoredReason, Review } from './types.js';

/** A standing approval with its submission time, for the assignment to order and compare. */
export interface Approval extends CountedApproval {
  readonly time: number;
}

/** Standing approvals in time order; every other APPROVED or DISMISSED review goes to `ignored`. */
export function standingApprovals(input: ApprovalInput, ignored: IgnoredApproval[]): Approval[] {
  const author = input.author.toLowerCase();
  const standing: Approval[] = [];
  for (const [i, review] of input.reviews.entries()) {
    if (review.state !== 'APPROVED' && review.state !== 'DISMISSED') continue;
    const login = review.user?.toLowerCase() ?? '(deleted user)';
    const base = { login, reviewId: review.id, at: review.submittedAt };
    const reason = whyNotStanding(input, review, i, login, author);
    if (reason) ignored.push({ ...base, ...reason });
    else standing.push({ ...base, time: Date.parse(review.submittedAt) });
  }
  // A person may approve several times (after a too-early approval, say); the assignment picks
  // which one counts.
  return standing.sort((x, y) => x.time - y.time);
}

function whyNotStanding(
  input: ApprovalInput,
  review: Review,
  index: number,
  login: string,
  author: string,
): { reason: IgnoredReason; explanation: string } | undefined {
  if (review.state === 'DISMISSED') return { reason: 'withdrawn', explanation: 'the review was dismissed' };
  if (review.user === null)
    return { reason: 'ghost', explanation: 'the account that approved has been deleted' };
  if (login === author)
    return { reason: 'author', explanation: 'the author of a pull request cannot approve it' };
  const later = input.reviews
    .slice(index + 1)
    .find((r) => r.user?.toLowerCase() === login && r.state === 'CHANGES_REQUESTED');
  if (later) return { reason: 'withdrawn', explanation: `${login} requested changes after approving` };
  if (isStale(review, input)) {
    const why =
      input.staleApprovals === 'on-push'
        ? 'new commits were pushed after it (staleApprovals: on-push)'
        : 'the migrations or policies changed after it; approve the current version';
    return { reason: 'stale', explanation: `stale: ${why}` };
  }
  return undefined;
}

function isStale(review: Review, input: ApprovalInput): boolean {
  switch (input.staleApprovals) {
    case 'keep':
      return false;
    case 'on-push':
      return review.commitId !== input.headSha;
    case 'on-sql-change': {
      if (review.commitId === input.headSha) return false;
      const then = input.fingerprintAt(review.commitId);
      return then === undefined || then !== input.fingerprintAt(input.headSha);
    }
  }
}
