// Rehearsal as a step of planning: it runs once the PR's migrations are read and before their
// risk is evaluated, so rules can use what it measured (`rehearsalFailed`, `rehearsalMs`).
import type { ConnectionTarget } from '../db/url.js';
import type { GitRepo } from '../git/repo.js';
import type { PlanOptions } from '../plan/plan.js';
import type { EstimateLookup } from '../risk/evaluate.js';
import { rehearsalMeasures } from './measures.js';
import { rehearse } from './rehearse.js';
import { rehearsalSubjects } from './subjects.js';
import type { RehearsalReport } from './types.js';

export interface PlanRehearsalInput {
  readonly repo: GitRepo;
  /** The base branch (its tip holds the migrations the PR will follow) and the PR's head. */
  readonly base: string;
  readonly head: string;
  readonly migrationsDir: string;
  /** Where to rehearse; asked only when there is something to rehearse (it may start a server). */
  readonly target: () => Promise<ConnectionTarget>;
  readonly appliedBy: string;
  readonly progress?: (line: string) => void;
  readonly keep?: boolean;
  /** Other estimates (`--estimate`) to combine with. */
  readonly estimates?: PlanOptions['estimates'];
}

export interface PlanRehearsal {
  /** For planChange's `estimates`. */
  readonly estimates: NonNullable<PlanOptions['estimates']>;
  /** The report, once planChange has run the hook (undefined when the PR had no migrations). */
  report(): RehearsalReport | undefined;
}

export function rehearsalForPlan(input: PlanRehearsalInput): PlanRehearsal {
  let report: RehearsalReport | undefined;
  return {
    report: () => report,
    estimates: async (policy, migrations): Promise<EstimateLookup> => {
      const other = input.estimates ? await input.estimates(policy, migrations) : undefined;
      const { repo } = input;
      const subjects = await rehearsalSubjects({
        repo,
        policy,
        migrationsDir: input.migrationsDir,
        pr: migrations,
        baseTip: await repo.resolve(input.base),
        head: await repo.resolve(input.head),
      });
      if (subjects.length === 0) return other ?? (() => ({ tableRows: 'unknown', affectedRows: 'unknown' }));
      report = await rehearse({
        target: await input.target(),
        subjects,
        appliedBy: input.appliedBy,
        ...(input.progress ? { progress: input.progress } : {}),
        ...(input.keep ? { keep: true } : {}),
      });
      const measured = rehearsalMeasures(report);
      return (database, file, index) => {
        const rehearsal = measured(file, index);
        return {
          ...(other?.(database, file, index) ?? { tableRows: 'unknown', affectedRows: 'unknown' }),
          ...(rehearsal ? { rehearsal } : {}),
        };
      };
    },
  };
}
