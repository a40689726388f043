// A repository's pull requests as the end-to-end tests play them: a branch per PR registered
// with the fake GitHub, merged with a merge commit as GitHub's "Create a merge commit" does.
import type { TempRepo } from './git-repo.js';
import type { FakeGitHub } from './github-server.js';
import type { MariaDbServer } from './mariadb.js';

/** Open a PR: a branch from `from` (main by default) with `files`; GitHub's base.sha is main's tip. */
export function openPr(
  repo: TempRepo,
  github: FakeGitHub,
  pr: { number: number; author: string; files: Record<string, string>; from?: string },
) {
  const { number, author, files } = pr;
  const baseSha = repo.git('rev-parse', 'refs/heads/main');
  repo.git('checkout', '-q', '-b', `pr-${number}`, pr.from ?? 'refs/heads/main');
  repo.write(files);
  const headSha = repo.commit(`PR ${number}`);
  github.openPr({ number, author, baseSha, headSha, files: Object.keys(files) });
  return { number, author, baseSha, headSha, changedFiles: Object.keys(files).length };
}

/** Merge with a merge commit; returns the push event's before/after. */
export function mergePr(repo: TempRepo, github: FakeGitHub, number: number) {
  repo.git('checkout', '-q', 'main');
  const before = repo.git('rev-parse', 'HEAD');
  repo.git('merge', '-q', '--no-ff', '-m', `Merge pull request #${number}`, `pr-${number}`);
  const after = repo.git('rev-parse', 'HEAD');
  github.merge(number, after);
  return { before, after };
}

/** The columns of test_db.t1, in order. */
export async function columns(server: MariaDbServer): Promise<string[]> {
  const rows = await server.query<{ c: string }>(
    "SELECT COLUMN_NAME AS c FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = 'test_db' AND TABLE_NAME = 't1' ORDER BY ORDINAL_POSITION",
  );
  return rows.map((r) => r.c);
}
