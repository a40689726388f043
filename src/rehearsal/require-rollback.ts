// `requireRollback: <level>` in risk-rules.yaml, or on an environment in environments.yaml: a
// migration whose task reaches the level must come with a down file, so every risky change has a
// reviewed way back. Where both apply to a task, the stricter level holds. Pure.
import {
  compareLevels,
  type Policy,
  type RiskLevel,
  type RuleLevel,
  type SourceLocation,
} from '../policy/types.js';
import type { TaskRisk } from '../risk/evaluate.js';
import { downPathOf } from '../sql/migration-name.js';
import type { MissingRollback } from './types.js';

type Requirement = { readonly level: RuleLevel; readonly at: SourceLocation };

/** Whether any requirement is written at all (the check reads down files only then). */
export function requiresRollback(policy: Pick<Policy, 'risk' | 'environments'>): boolean {
  return policy.risk.requireRollback !== undefined || policy.environments.some((e) => e.requireRollback);
}

/** The requirement in force for an environment's tasks: the stricter (lower) level of the two. */
function requirementFor(
  policy: Pick<Policy, 'risk' | 'environments'>,
  environment: string,
): Requirement | undefined {
  const global = policy.risk.requireRollback;
  const own = policy.environments.find((e) => e.id === environment)?.requireRollback;
  if (!global || !own) return own ?? global;
  return compareLevels(own.level, global.level) <= 0 ? own : global;
}

/** Each file with a task at or above its environment's requirement and no down file, once. */
export function missingRollbacks(
  policy: Pick<Policy, 'risk' | 'environments'>,
  tasks: readonly TaskRisk[],
  /** Paths of the migrations that have a down file. */
  withDown: ReadonlySet<string>,
): MissingRollback[] {
  const missing = new Map<string, MissingRollback>();
  for (const t of tasks) {
    const required = requirementFor(policy, t.environment);
    if (!required || withDown.has(t.file) || compareLevels(t.level, required.level) < 0) continue;
    const seen = missing.get(t.file);
    // The file's highest level names it, with the requirement that level reached.
    if (seen && compareLevels(seen.level, t.level) >= 0) continue;
    missing.set(t.file, {
      file: t.file,
      level: t.level as RiskLevel,
      downFile: downPathOf(t.file),
      required: required.level,
      rule: required.at,
    });
  }
  return [...missing.values()];
}
