// Which approvals still stand: APPROVED reviews that were not dismissed, withdrawn by a later
// request for changes, made stale by a later change, or given by the author, a contributor or a
// deleted account.
import type {
  ApprovalInput,
  Contributor,
  CountedApproval,
  IgnoredApproval,
  IgnoredReason,
  Review,
} from './types.js';

/** A standing approval with its submission time, for the assignment to order and compare. */
export interface Approval extends CountedApproval {
  readonly time: number;
}

/** Standing approvals in time order; every other APPROVED or DISMISSED review goes to `ignored`. */
export function standingApprovals(input: ApprovalInput, ignored: IgnoredApproval[]): Approval[] {
  const author = input.author.toLowerCase();
  const contributors = contributorsByLogin(input.contributors);
  const standing: Approval[] = [];
  for (const [i, review] of input.reviews.entries()) {
    if (review.state !== 'APPROVED' && review.state !== 'DISMISSED') continue;
    const login = review.user?.toLowerCase() ?? '(deleted user)';
    const base = { login, reviewId: review.id, at: review.submittedAt };
    const reason = whyNotStanding(input, review, i, login, author, contributors);
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
  contributors: ReadonlyMap<string, Contributor>,
): { reason: IgnoredReason; explanation: string } | undefined {
  if (review.state === 'DISMISSED') return { reason: 'withdrawn', explanation: 'the review was dismissed' };
  if (review.user === null)
    return { reason: 'ghost', explanation: 'the account that approved has been deleted' };
  if (login === author)
    return { reason: 'author', explanation: 'the author of a pull request cannot approve it' };
  const contributor = contributors.get(login);
  if (contributor) {
    // Otherwise a reviewer could push one commit to a colleague's PR and then approve it.
    const what = contributor.pushed
      ? `pushed commit ${contributor.commit.slice(0, 7)} to this PR`
      : `authored commit ${contributor.commit.slice(0, 7)} of this PR`;
    return { reason: 'contributor', explanation: `${login} ${what}; contributors cannot approve it` };
  }
  const later = input.reviews
    .slice(index + 1)
    .find((r) => r.user?.toLowerCase() === login && r.state === 'CHANGES_REQUESTED');
  if (later) return { reason: 'withdrawn', explanation: `${login} requested changes after approving` };
  const stale = whyStale(review, input);
  return stale ? { reason: 'stale', explanation: `stale: ${stale}` } : undefined;
}

function whyStale(review: Review, input: ApprovalInput): string | undefined {
  switch (input.staleApprovals) {
    case 'keep':
      return undefined;
    case 'on-push':
      return review.commitId === input.headSha
        ? undefined
        : 'new commits were pushed after it (staleApprovals: on-push)';
    case 'on-sql-change': {
      if (review.commitId === input.headSha) return undefined;
      const then = input.fingerprintAt(review.commitId);
      // What cannot be compared is not known to be unchanged: fail closed, but say which it is.
      if (then === undefined)
        return 'the commit it approved is no longer available; approve the current version';
      return then === input.fingerprintAt(input.headSha)
        ? undefined
        : 'the migrations or policies changed after it; approve the current version';
    }
  }
}

/** Each contributor once, by lower-case login; someone who pushed a commit is named for that. */
export function contributorsByLogin(list: readonly Contributor[]): Map<string, Contributor> {
  const byLogin = new Map<string, Contributor>();
  for (const c of list) {
    const login = c.login.toLowerCase();
    const known = byLogin.get(login);
    if (!known || (c.pushed && !known.pushed)) byLogin.set(login, c);
  }
  return byLogin;
}
