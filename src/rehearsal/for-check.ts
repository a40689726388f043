// The rehearsal's part in the PR check: rehearse while planning (when a rehearsal database is
// configured), then check the required down files, and say whether either fails the PR.
import type { ConnectionTarget } from '../db/url.js';
import type { GitRepo } from '../git/repo.js';
import type { PlanOptions, PlanResult } from '../plan/plan.js';
import { rehearsalProblem } from '../report/rehearsal.js';
import { rehearsalForPlan } from './for-plan.js';
import { missingRollbacks, requiresRollback } from './require-rollback.js';
import { downFilesAt } from './subjects.js';
import type { MissingRollback, RehearsalReport } from './types.js';

export interface CheckRehearsalSettings {
  /** The rehearsal database (`rehearsal-url`, or the workflow's service container). */
  readonly target: ConnectionTarget;
  readonly appliedBy: string;
}

export interface CheckRehearsalResult {
  readonly report: RehearsalReport | undefined;
  readonly missing: readonly MissingRollback[];
  /** Why the rehearsal fails the PR, or undefined. */
  readonly problem: string | undefined;
}

export function checkRehearsal(input: {
  readonly repo: GitRepo;
  readonly base: string;
  readonly head: string;
  readonly migrationsDir: string;
  readonly settings: CheckRehearsalSettings | undefined;
  readonly log: (line: string) => void;
}): {
  readonly planOptions: Pick<PlanOptions, 'estimates'>;
  finish(plan: PlanResult): Promise<CheckRehearsalResult>;
} {
  const { settings } = input;
  const rehearsal = settings
    ? rehearsalForPlan({
        repo: input.repo,
        base: input.base,
        head: input.head,
        migrationsDir: input.migrationsDir,
        target: async () => settings.target,
        appliedBy: settings.appliedBy,
        progress: input.log,
      })
    : undefined;
  return {
    planOptions: rehearsal ? { estimates: rehearsal.estimates } : {},
    finish: async (plan) => {
      const downs = requiresRollback(plan.policy)
        ? await downFilesAt(input.repo, plan.head.commit, plan.migrationsDir)
        : new Map<string, string>();
      const missing = missingRollbacks(plan.policy, plan.risk.tasks, new Set(downs.keys()));
      const report = rehearsal?.report();
      return { report, missing, problem: rehearsalProblem(report, missing) };
    },
  };
}
