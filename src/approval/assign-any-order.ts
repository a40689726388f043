// Any order: people are matched to step slots so that nobody's approval is wasted.
import { type Assignment, type AssignmentInput, satisfiedTimes } from './assignment.js';
import type { Approval } from './standing.js';

/** A maximum matching of distinct approvers to step slots (Kuhn's algorithm). */
export function assignAnyOrder({ approvals, members, counts, samePerson }: AssignmentInput): Assignment {
  if (samePerson) {
    // Each step independently takes its first `count` distinct members.
    const steps = counts.map((c, step) => {
      const seen = new Set<string>();
      return approvals
        .filter((a) => (members[step] as Set<string>).has(a.login) && !seen.has(a.login) && seen.add(a.login))
        .slice(0, c);
    });
    return { steps, satisfiedAt: satisfiedTimes(steps, counts) };
  }
  const slots = counts.flatMap((c, step) => Array.from({ length: c }, () => step));
  const people = [...new Map(approvals.map((a) => [a.login, a])).values()];
  const slotOwner: (number | undefined)[] = slots.map(() => undefined);
  const tryAssign = (p: number, seen: Set<number>): boolean => {
    for (let s = 0; s < slots.length; s++) {
      const step = slots[s] as number;
      if (seen.has(s) || !(members[step] as Set<string>).has((people[p] as Approval).login)) continue;
      seen.add(s);
      const owner = slotOwner[s];
      if (owner === undefined || tryAssign(owner, seen)) {
        slotOwner[s] = p;
        return true;
      }
    }
    return false;
  };
  for (let p = 0; p < people.length; p++) tryAssign(p, new Set());
  const steps: Approval[][] = counts.map(() => []);
  slotOwner.forEach((p, s) => {
    if (p !== undefined) (steps[slots[s] as number] as Approval[]).push(people[p] as Approval);
  });
  return { steps, satisfiedAt: satisfiedTimes(steps, counts) };
}
