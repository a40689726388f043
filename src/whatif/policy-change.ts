// For a pull request that edits the policies: run the base branch's policy tests against the
// PR's policies (a PR must not be able to edit the tests that judge it), and replay the migrations
// that landed on the base branch under the base's policies and the PR's, within a time budget.

import type { Diagnostic } from '../errors.js';
import { commitPolicySource } from '../git/policy-source.js';
import type { GitRepo } from '../git/repo.js';
import { loadPolicySource } from '../policy/source.js';
import { loadPolicyTests, type TestFile } from '../policytest/cases.js';
import { type PolicyTestRun, runPolicyTests } from '../policytest/run.js';
import type { StatementParser } from '../sql/analyse.js';
import { analysisCache } from './analysis-cache.js';
import { landedMigrations } from './history.js';
import { replayHistory, type WhatIfReport } from './replay.js';

export interface PolicyChangeReview {
  /** The base branch's tests run against the PR's policies; undefined when the base has none. */
  readonly tests?: { readonly run: PolicyTestRun } | { readonly errors: readonly Diagnostic[] };
  readonly whatIf: WhatIfReport;
}

export interface PolicyChangeInput {
  readonly repo: GitRepo;
  readonly baseSha: string;
  readonly headSha: string;
  readonly policiesDir: string;
  readonly migrationsDir: string;
  readonly parser: StatementParser;
  /** Milliseconds the replay may take before it stops starting new changes (default 60 s). */
  readonly budgetMs?: number;
  /** Replay only the newest N landed changes (default all). */
  readonly limit?: number;
  readonly clock?: () => number;
}

export const DEFAULT_WHATIF_BUDGET_MS = 60_000;

export async function reviewPolicyChange(input: PolicyChangeInput): Promise<PolicyChangeReview> {
  const { repo, baseSha, headSha, policiesDir, migrationsDir } = input;
  const current = loadPolicySource(await commitPolicySource(repo, baseSha, policiesDir, 'base'));
  const proposed = loadPolicySource(await commitPolicySource(repo, headSha, policiesDir, 'head'));
  const cache = analysisCache(input.parser);

  const testDir = `${policiesDir}/tests`;
  const paths = (await repo.listFiles(baseSha, testDir)).filter(
    (p) => /\.ya?ml$/.test(p) && !p.slice(testDir.length + 1).includes('/'),
  );
  let tests: PolicyChangeReview['tests'];
  if (paths.length > 0) {
    const texts = await repo.readFiles(baseSha, paths);
    const files: TestFile[] = paths.map((path) => ({ path, text: texts.get(path)?.toString('utf8') ?? '' }));
    const loaded = await loadPolicyTests(files, async (path) =>
      (await repo.readFiles(baseSha, [path])).get(path)?.toString('utf8'),
    );
    tests = loaded.ok
      ? {
          run: await runPolicyTests(loaded.cases, {
            policy: proposed,
            analyse: cache.analyse,
            migrationsDir,
          }),
        }
      : { errors: loaded.errors };
  }

  const history = await landedMigrations(repo, baseSha, migrationsDir);
  const whatIf = await replayHistory({
    changes: history.changes,
    current,
    proposed,
    analyse: cache.analyse,
    migrationsDir,
    budgetMs: input.budgetMs ?? DEFAULT_WHATIF_BUDGET_MS,
    ...(input.limit !== undefined ? { limit: input.limit } : {}),
    ...(input.clock ? { clock: input.clock } : {}),
  });
  return {
    ...(tests ? { tests } : {}),
    whatIf: { ...whatIf, skipped: [...history.unreadable, ...whatIf.skipped] },
  };
}
