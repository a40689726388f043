// The result of an assignment: each step's state, why each standing approval that was not
// counted did not count, the flow's state, and the summary line made from that state.
import type { ApprovalFlow } from '../policy/types.js';
import type { Assignment } from './assignment.js';
import type { Approval } from './standing.js';
import type {
  ApprovalResult,
  ApprovalState,
  IgnoredApproval,
  Rejection,
  StepState,
  StepStatus,
} from './types.js';

export interface ResultInput {
  readonly flow: ApprovalFlow;
  readonly author: string;
  /** Logins (lower case) of the PR's contributors other than its author: they cannot approve. */
  readonly contributors: ReadonlySet<string>;
  /** Per step: the role's title, its members and notes on members that could not be read. */
  readonly roleTitles: readonly string[];
  readonly members: readonly Set<string>[];
  readonly memberNotes: readonly (readonly string[])[];
  readonly approvals: readonly Approval[];
  readonly assignment: Assignment;
  /** Approvals that did not stand, with their reasons. */
  readonly ignored: readonly IgnoredApproval[];
  readonly rejections: readonly Rejection[];
}

export function approvalResult(input: ResultInput): ApprovalResult {
  const steps = stepStates(input);
  const ignored = [...input.ignored, ...uncounted(input)].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const { rejections } = input;
  const state = stateOf(steps, rejections);
  return {
    flow: input.flow,
    state,
    steps,
    ignored,
    rejections,
    summary: summarise(state, steps, rejections),
  };
}

function stateOf(steps: readonly StepState[], rejections: readonly Rejection[]): ApprovalState {
  if (rejections.length > 0 || steps.some((s) => s.status === 'unsatisfiable')) return 'blocked';
  if (steps.every((s) => s.status === 'satisfied')) return 'approved';
  return 'waiting';
}

function summarise(
  state: ApprovalState,
  steps: readonly StepState[],
  rejections: readonly Rejection[],
): string {
  switch (state) {
    case 'approved':
      return `approved by ${[...new Set(steps.flatMap((s) => s.approvals.map((a) => a.login)))].join(', ')}`;
    case 'blocked':
      return rejections.length > 0
        ? `rejected by ${rejections.map((r) => `@${r.login}`).join(', ')}`
        : `cannot be approved: ${steps.find((s) => s.status === 'unsatisfiable')?.notes[0]}`;
    case 'waiting':
      return `waiting for ${steps
        .filter((s) => s.status === 'waiting')
        .map((s) => `${s.roleTitle} (${s.approvals.length} of ${s.count})`)
        .join(', ')}`;
  }
}

/** Why each standing approval the assignment left out did not count. */
function uncounted(input: ResultInput): IgnoredApproval[] {
  const { flow, assignment, members, roleTitles } = input;
  const counted = new Set(assignment.steps.flat());
  const stepOf = new Map<string, number>();
  assignment.steps.forEach((s, i) => {
    for (const a of s) if (!stepOf.has(a.login)) stepOf.set(a.login, i);
  });
  const countedAt = new Map<string, number>();
  for (const a of counted) countedAt.set(a.login, Math.min(countedAt.get(a.login) ?? a.time, a.time));
  const out: IgnoredApproval[] = [];
  for (const a of input.approvals) {
    if (counted.has(a)) continue;
    // An earlier approval of someone whose later one counts was superseded: not worth a line.
    if ((countedAt.get(a.login) ?? Number.NEGATIVE_INFINITY) > a.time) continue;
    const base = { login: a.login, reviewId: a.reviewId, at: a.at };
    const roleSteps = members.map((m, i) => (m.has(a.login) ? i : -1)).filter((i) => i >= 0);
    const usedIn = stepOf.get(a.login);
    if (roleSteps.length === 0) {
      const roles = flow.steps.map((s) => s.role).join(', ');
      out.push({
        ...base,
        reason: 'not-a-member',
        explanation: `${a.login} holds none of the roles of this flow (${roles})`,
      });
    } else if (usedIn !== undefined && !flow.allowSamePersonInSteps) {
      out.push({
        ...base,
        reason: 'same-person',
        explanation: `same person as step ${usedIn + 1} (${roleTitles[usedIn]}): one person approves one step`,
      });
    } else if (
      flow.order === 'strict' &&
      roleSteps.some((i) => i > 0 && (assignment.satisfiedAt[i - 1] ?? Number.POSITIVE_INFINITY) > a.time)
    ) {
      const i = roleSteps.find((k) => k > 0) as number;
      out.push({
        ...base,
        reason: 'too-early',
        explanation: `too early: approved before ${roleTitles[i - 1]} had approved; approve again`,
      });
    } else {
      out.push({
        ...base,
        reason: 'surplus',
        explanation: 'the step it could fill already has enough approvals',
      });
    }
  }
  return out;
}

function stepStates(input: ResultInput): StepState[] {
  const { flow, assignment, members } = input;
  const author = input.author.toLowerCase();
  const excluded = (p: string) => p === author || input.contributors.has(p);
  const used = new Set(assignment.steps.flat().map((a) => a.login));
  const firstOpen = assignment.steps.findIndex((s, i) => s.length < (flow.steps[i]?.count ?? 1));
  return flow.steps.map((step, i) => {
    const got = assignment.steps[i] as Approval[];
    const people = members[i] as Set<string>;
    const eligible = [...people]
      .filter(
        (p) =>
          !excluded(p) && (flow.allowSamePersonInSteps || !used.has(p)) && !got.some((a) => a.login === p),
      )
      .sort();
    const notes = [...(input.memberNotes[i] ?? [])];
    let status: StepStatus;
    if (got.length >= step.count) status = 'satisfied';
    else if ([...people].every(excluded)) {
      status = 'unsatisfiable';
      notes.unshift(
        people.size === 0
          ? `no one holds role ${step.role}`
          : [...people].every((p) => p === author)
            ? `no one but the author holds role ${step.role}`
            : `no one but the author and contributors of this PR holds role ${step.role}`,
      );
    } else if (flow.order === 'strict' && i !== firstOpen) status = 'not-yet-reachable';
    else status = 'waiting';
    const satisfiedAt = assignment.satisfiedAt[i];
    return {
      index: i,
      role: step.role,
      roleTitle: input.roleTitles[i] ?? step.role,
      count: step.count,
      status,
      approvals: got.map(({ login, reviewId, at }) => ({ login, reviewId, at })),
      ...(satisfiedAt !== undefined ? { satisfiedAt: new Date(satisfiedAt).toISOString() } : {}),
      eligible,
      notes,
    };
  });
}
