// Which pull request landed a commit on the default branch, read from the message GitHub writes:
// "Merge pull request #41 from acme/drop-legacy\n\n<title>" for a merge commit, "<title> (#41)"
// for a squash merge. Anything else (a direct push, a rebase merge) has no PR that git can tell.
import type { LandedCommit } from '../git/repo.js';

export type LandedHow = 'merge' | 'squash' | 'direct';

export interface Attribution {
  readonly pr?: number;
  readonly how: LandedHow;
  /** The PR's title, or the commit's subject. */
  readonly title: string;
}

const MERGE = /^Merge pull request #(\d+) from (\S+)/;
const SQUASH = /^(.*\S)\s+\(#(\d+)\)$/;

export function attribute(c: LandedCommit): Attribution {
  const [subject = '', ...rest] = c.message.split('\n');
  const body = rest.join('\n').trim();
  const merge = MERGE.exec(subject);
  if (merge && c.parents.length > 1) {
    // Without the PR title in the body, the branch (`acme/drop-legacy`) is the best name left.
    return { pr: Number(merge[1]), how: 'merge', title: body.split('\n')[0]?.trim() || (merge[2] as string) };
  }
  const squash = SQUASH.exec(subject);
  if (squash && c.parents.length === 1)
    return { pr: Number(squash[2]), how: 'squash', title: squash[1] as string };
  return { how: 'direct', title: subject };
}
