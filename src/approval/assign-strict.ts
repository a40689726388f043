// Strict order: an approval fills a step only if submitted after the previous step was satisfied.
import { type Assignment, type AssignmentInput, satisfiedTimes } from './assignment.js';
import type { Approval } from './standing.js';

// Enough for any real flow; a pathological review list stops at the best assignment found so far.
const SEARCH_BUDGET = 20_000;

/**
 * Walk the approvals in time order; each may fill the current step if its author holds the role.
 * When a person could also fill a later step, try both (bounded search), so an early approval
 * never wastes a person another step needs.
 */
export function assignStrict({ approvals, members, counts, samePerson }: AssignmentInput): Assignment {
  let best: Assignment = { steps: counts.map(() => []), satisfiedAt: counts.map(() => undefined) };
  let bestScore = score(best, counts);
  let budget = SEARCH_BUDGET;
  const walk = (i: number, step: number, steps: Approval[][], since: number, used: Set<string>) => {
    if (--budget < 0) return;
    const current: Assignment = { steps, satisfiedAt: satisfiedTimes(steps, counts) };
    const s = score(current, counts);
    if (better(s, bestScore)) {
      best = { steps: steps.map((x) => [...x]), satisfiedAt: current.satisfiedAt };
      bestScore = s;
    }
    if (i >= approvals.length || step >= counts.length) return;
    const a = approvals[i] as Approval;
    const eligible =
      (members[step] as Set<string>).has(a.login) &&
      a.time >= since &&
      (samePerson || !used.has(a.login)) &&
      !(steps[step] as Approval[]).some((x) => x.login === a.login);
    if (eligible) {
      const filled = [...(steps[step] as Approval[]), a];
      const nextSteps = steps.map((x, k) => (k === step ? filled : x));
      const nextUsed = new Set(used).add(a.login);
      if (filled.length >= (counts[step] ?? 1)) walk(i + 1, step + 1, nextSteps, a.time, nextUsed);
      else walk(i + 1, step, nextSteps, since, nextUsed);
      // Skipping is only worth trying when this person may be needed by a later step.
      const neededLater = members.slice(step + 1).some((m) => m.has(a.login));
      if (!neededLater || samePerson) return;
    }
    walk(i + 1, step, steps, since, used);
  };
  walk(
    0,
    0,
    counts.map(() => []),
    Number.NEGATIVE_INFINITY,
    new Set(),
  );
  return best;
}

function score(a: Assignment, counts: readonly number[]): number[] {
  // Prefer more steps satisfied, in order; then more approvals gathered.
  const satisfied = a.steps.map((s, i) => (s.length >= (counts[i] ?? 1) ? 1 : 0));
  let prefix = 0;
  while (prefix < satisfied.length && satisfied[prefix] === 1) prefix++;
  const total = satisfied.reduce((n, x) => n + x, 0 as number);
  const gathered = a.steps.reduce((n, s) => n + s.length, 0);
  return [prefix, total, gathered];
}

function better(x: number[], y: number[]): boolean {
  for (let i = 0; i < x.length; i++)
    if ((x[i] as number) !== (y[i] as number)) return (x[i] as number) > (y[i] as number);
  return false;
}
