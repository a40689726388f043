// `sqlgate whatif`: replay every migration that landed on the default branch under the current
// policies (the branch's) and the proposed ones (a directory, or a git ref), and say what changes.
import { isAbsolute } from 'node:path';
import { InputError } from '../errors.js';
import { commitPolicySource } from '../git/policy-source.js';
import { GitRepo } from '../git/repo.js';
import { sharedParser } from '../parser/pool.js';
import { loadPolicySource } from '../policy/source.js';
import { whatIfJson, whatIfMarkdown, whatIfText } from '../report/whatif.js';
import { analysisCache } from '../whatif/analysis-cache.js';
import { landedMigrations } from '../whatif/history.js';
import { attributeThroughGitHub, pastReviewVerdicts } from '../whatif/past-reviews.js';
import { replayHistory } from '../whatif/replay.js';
import type { CliIo } from './io.js';
import { loadPolicyDir } from './policies.js';
import { gitHubAccess } from './whatif-reviews.js';

export interface WhatIfCliOptions {
  readonly base: string;
  readonly policies: string;
  readonly policiesRef?: string;
  readonly migrations: string;
  readonly format: string;
  readonly limit?: string;
  readonly pastReviews: boolean;
  readonly repo?: string;
}

const FORMATS = ['text', 'json', 'markdown'];

export async function runWhatIf(io: CliIo, options: WhatIfCliOptions): Promise<number> {
  if (!FORMATS.includes(options.format))
    throw new InputError(`--format must be one of ${FORMATS.join(', ')}, not "${options.format}"`);
  const limit = options.limit === undefined ? undefined : Number(options.limit);
  if (limit !== undefined && !(Number.isInteger(limit) && limit > 0))
    throw new InputError(`--limit must be a whole number above 0, not "${options.limit}"`);
  const repo = new GitRepo(io.cwd);
  if (!(await repo.isRepository()))
    throw new InputError(`${io.cwd} is not a git repository; run sqlgate whatif in your repository's root`);
  const dir = options.policies.replace(/\/+$/, '');
  const migrationsDir = options.migrations.replace(/\/+$/, '');
  // The current policies are the branch's own, at the same path the proposed ones live at.
  const gitDir = isAbsolute(dir) ? 'policies' : dir;
  const baseCommit = await repo.resolve(options.base);
  const current = loadPolicySource(
    await commitPolicySource(repo, baseCommit, gitDir, `tip of ${options.base}`),
  );
  const proposedLabel = options.policiesRef ? `${gitDir}/ at ${options.policiesRef}` : `${dir}/`;
  const proposed = options.policiesRef
    ? loadPolicySource(
        await commitPolicySource(repo, await repo.resolve(options.policiesRef), gitDir, options.policiesRef),
      )
    : loadPolicyDir(io, dir);
  const github = options.pastReviews ? gitHubAccess(io, repo, options.repo) : undefined;

  const history = await landedMigrations(repo, baseCommit, migrationsDir);
  // Git tells merge and squash commits apart by their messages; only the rest needs the API.
  const changes = github
    ? await attributeThroughGitHub(github.github, github.ref, history.changes)
    : history.changes;
  const cache = analysisCache(sharedParser());
  const report = await replayHistory({
    changes,
    current,
    proposed,
    analyse: cache.analyse,
    migrationsDir,
    ...(limit !== undefined ? { limit } : {}),
  });
  const skipped = [...history.unreadable, ...report.skipped];
  const full = { ...report, skipped };
  const pastReviews = github
    ? await pastReviewVerdicts({ ...github, report, proposed, policiesDir: gitDir, migrationsDir })
    : [];
  const header = `sqlgate whatif: ${report.total} landed change${report.total === 1 ? '' : 's'} with migrations on ${options.base} (${report.files} files), current policies (${options.base} ${baseCommit.slice(0, 7)}) vs proposed (${proposedLabel})`;
  if (options.format === 'json')
    io.out(
      JSON.stringify(
        whatIfJson(
          full,
          { base: { ref: options.base, commit: baseCommit }, proposed: proposedLabel },
          pastReviews,
        ),
        null,
        2,
      ),
    );
  else if (options.format === 'markdown') io.out(whatIfMarkdown(full, { pastReviews }).join('\n'));
  else io.out(whatIfText(full, header, pastReviews));
  return 0;
}
