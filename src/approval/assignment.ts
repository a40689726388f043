// Which standing approval fills which step. The strict and any-order assignments share this shape.
import type { Approval } from './standing.js';

export interface Assignment {
  /** approvals per step */
  readonly steps: Approval[][];
  /** When each step became satisfied (ms), or undefined while it is not. */
  readonly satisfiedAt: (number | undefined)[];
}

/** What the assignment works with: the standing approvals and, per step, its members and count. */
export interface AssignmentInput {
  readonly approvals: readonly Approval[];
  readonly members: readonly Set<string>[];
  readonly counts: readonly number[];
  readonly samePerson: boolean;
}

export function satisfiedTimes(
  steps: readonly Approval[][],
  counts: readonly number[],
): (number | undefined)[] {
  return steps.map((s, i) => (s.length >= (counts[i] ?? 1) ? Math.max(...s.map((a) => a.time)) : undefined));
}
