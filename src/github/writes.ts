// What a check writes to GitHub: one sticky comment and the commit status.
import type { GitHub } from './client.js';
import type { RepoRef } from './reads.js';

export const STATUS_CONTEXT = 'sqlgate/approval';
/** Finds sqlgate's own comment among the PR's comments; invisible when GitHub renders the body. */
export const COMMENT_MARKER = '<!-- sqlgate:check -->';

/** Create the PR's sqlgate comment, or update the one already there (found by its marker). */
export async function upsertComment(
  github: GitHub,
  ref: RepoRef,
  pull: number,
  text: string,
): Promise<{ id: number; created: boolean }> {
  const body = text.startsWith(COMMENT_MARKER) ? text : `${COMMENT_MARKER}\n${text}`;
  const comments = await github.paginate(github.rest.issues.listComments, {
    ...ref,
    issue_number: pull,
    per_page: 100,
  });
  const mine = comments.find((c) => c.body?.includes(COMMENT_MARKER));
  if (mine) {
    if (mine.body !== body) await github.rest.issues.updateComment({ ...ref, comment_id: mine.id, body });
    return { id: mine.id, created: false };
  }
  const created = await github.rest.issues.createComment({ ...ref, issue_number: pull, body });
  return { id: created.data.id, created: true };
}

export type StatusState = 'pending' | 'success' | 'failure' | 'error';

export async function setStatus(
  github: GitHub,
  ref: RepoRef,
  sha: string,
  state: StatusState,
  description: string,
  targetUrl?: string,
): Promise<void> {
  // GitHub truncates nothing: a description over 140 characters is rejected with 422.
  const short = description.length > 140 ? `${description.slice(0, 139)}…` : description;
  await github.rest.repos.createCommitStatus({
    ...ref,
    sha,
    state,
    context: STATUS_CONTEXT,
    description: short,
    ...(targetUrl ? { target_url: targetUrl } : {}),
  });
}
