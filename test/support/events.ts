// Webhook payloads as GitHub sends them for the events sqlgate handles.
import { OWNER, pullRequest, REPO, repository, review, user } from './github-fixtures.js';

interface PrRef {
  number: number;
  author: string;
  baseSha: string;
  headSha: string;
  changedFiles: number;
}

function pr(p: PrRef) {
  return {
    ...pullRequest({
      number: p.number,
      author: p.author,
      baseSha: p.baseSha,
      headSha: p.headSha,
      mergedAt: null,
      mergeCommitSha: null,
    }),
    changed_files: p.changedFiles,
  };
}

export function pullRequestEvent(action: 'opened' | 'synchronize' | 'reopened', p: PrRef, sender = p.author) {
  return {
    action,
    number: p.number,
    pull_request: pr(p),
    repository: repository(),
    organization: { login: OWNER },
    sender: user(sender),
  };
}

export function reviewEvent(
  action: 'submitted' | 'dismissed',
  p: PrRef,
  reviewer: string,
  state: 'APPROVED' | 'DISMISSED' | 'CHANGES_REQUESTED',
) {
  return {
    action,
    review: review(reviewer, state, '2026-11-25T10:00:00Z', p.headSha, p.number),
    pull_request: pr(p),
    repository: repository(),
    sender: user(reviewer),
  };
}

export function pushEvent(ref: string, before: string, after: string, sender: string) {
  return {
    ref,
    before,
    after,
    created: before === '0'.repeat(40),
    deleted: false,
    forced: false,
    base_ref: null,
    compare: `https://github.com/${OWNER}/${REPO}/compare/${before.slice(0, 12)}...${after.slice(0, 12)}`,
    commits: [],
    head_commit: null,
    repository: repository(),
    pusher: { name: sender, email: `${sender}@example.com` },
    sender: user(sender),
  };
}
