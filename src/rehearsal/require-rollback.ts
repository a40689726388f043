// `requireRollback: <level>` in risk-rules.yaml: a migration at or above the level must come with
// a down file, so every risky change has a reviewed way back. Pure.
import { compareLevels, maxLevel, type RiskLevel, type RiskPolicy } from '../policy/types.js';
import type { TaskRisk } from '../risk/evaluate.js';
import { downPathOf } from '../sql/migration-name.js';
import type { MissingRollback } from './types.js';

/** Each file whose highest task level reaches the required one and has no down file. */
export function missingRollbacks(
  risk: RiskPolicy,
  tasks: readonly TaskRisk[],
  /** Paths of the migrations that have a down file. */
  withDown: ReadonlySet<string>,
): MissingRollback[] {
  const required = risk.requireRollback;
  if (!required) return [];
  const levels = new Map<string, RiskLevel>();
  for (const t of tasks) levels.set(t.file, maxLevel(levels.get(t.file) ?? 'none', t.level));
  const missing: MissingRollback[] = [];
  for (const [file, level] of levels) {
    if (compareLevels(level, required.level) < 0 || withDown.has(file)) continue;
    missing.push({ file, level, downFile: downPathOf(file), required: required.level, rule: required.at });
  }
  return missing;
}
