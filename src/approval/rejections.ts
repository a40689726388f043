// Requests for changes that block a flow: a CHANGES_REQUESTED review from someone who holds a
// role of the flow, not yet followed by their approval. A dismissed review is listed by GitHub
// as DISMISSED, so it no longer blocks.
import type { Rejection, Review } from './types.js';

export function standingRejections(
  reviews: readonly Review[],
  flowMembers: readonly Set<string>[],
  author: string,
): Rejection[] {
  const latest = new Map<string, Review>();
  for (const review of reviews) {
    if (review.user === null) continue;
    // A comment after a request for changes leaves the request standing, as on GitHub.
    if (review.state !== 'APPROVED' && review.state !== 'CHANGES_REQUESTED' && review.state !== 'DISMISSED')
      continue;
    latest.set(review.user.toLowerCase(), review);
  }
  const rejections: Rejection[] = [];
  for (const [login, review] of latest) {
    if (review.state !== 'CHANGES_REQUESTED' || login === author.toLowerCase()) continue;
    if (!flowMembers.some((m) => m.has(login))) continue;
    rejections.push({ login, reviewId: review.id, at: review.submittedAt });
  }
  return rejections.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}
