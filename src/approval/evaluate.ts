// Ordered approvals from GitHub reviews. A pure function from the flow, who holds which role,
// the PR's reviews and content fingerprints to the state of every step — and, for every approval
// that did not count, the reason why.
import type { ApprovalFlow, Role, StaleApprovals } from '../policy/types.js';

export type ReviewState = 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'DISMISSED' | 'PENDING';

export interface Review {
  readonly id: number;
  /** GitHub login; null for a deleted ("ghost") account. */
  readonly user: string | null;
  readonly state: ReviewState;
  readonly submittedAt: string;
  /** The head commit the review was made on. */
  readonly commitId: string;
}

/** A team's members, or why they could not be read (the team then holds no one). */
export type TeamMembers = { readonly members: readonly string[] } | { readonly error: string };

export interface ApprovalInput {
  readonly flow: ApprovalFlow;
  readonly roles: readonly Role[];
  readonly teams: ReadonlyMap<string, TeamMembers>;
  readonly author: string;
  /** In submission order. */
  readonly reviews: readonly Review[];
  readonly headSha: string;
  readonly staleApprovals: StaleApprovals;
  /** Fingerprint of the migration and policy files at a commit; undefined when the commit is gone. */
  readonly fingerprintAt: (commit: string) => string | undefined;
}

export type IgnoredReason =
  | 'ghost'
  | 'author'
  | 'withdrawn'
  | 'stale'
  | 'not-a-member'
  | 'same-person'
  | 'too-early'
  | 'surplus';

export interface CountedApproval {
  readonly login: string;
  readonly reviewId: number;
  readonly at: string;
}

export interface IgnoredApproval extends CountedApproval {
  readonly reason: IgnoredReason;
  /** The reason in words, e.g. "too early: approve again now that Tester has approved". */
  readonly explanation: string;
}

export type StepStatus = 'satisfied' | 'waiting' | 'not-yet-reachable' | 'unsatisfiable';

export interface StepState {
  readonly index: number;
  readonly role: string;
  readonly roleTitle: string;
  readonly count: number;
  readonly status: StepStatus;
  readonly approvals: readonly CountedApproval[];
  readonly satisfiedAt?: string;
  /** Who could still approve this step. */
  readonly eligible: readonly string[];
  readonly notes: readonly string[];
}

export interface ApprovalResult {
  readonly flow: ApprovalFlow;
  readonly satisfied: boolean;
  readonly steps: readonly StepState[];
  readonly ignored: readonly IgnoredApproval[];
  /** One line for a commit status: "waiting for DBA (1 of 2)". */
  readonly summary: string;
}

interface Approval extends CountedApproval {
  readonly time: number;
}

/** Members of a role with teams expanded; unreadable teams add notes, not people. */
export function expandRole(
  role: Role | undefined,
  teams: ReadonlyMap<string, TeamMembers>,
): { people: Set<string>; notes: string[] } {
  const people = new Set<string>();
  const notes: string[] = [];
  for (const member of role?.members ?? []) {
    if (!member.includes('/')) {
      people.add(member.toLowerCase());
      continue;
    }
    const team = teams.get(member.toLowerCase());
    if (!team) notes.push(`team ${member} was not resolved`);
    else if ('error' in team) notes.push(team.error);
    else for (const login of team.members) people.add(login.toLowerCase());
  }
  return { people, notes };
}

function isStale(review: Review, input: ApprovalInput): boolean {
  switch (input.staleApprovals) {
    case 'keep':
      return false;
    case 'on-push':
      return review.commitId !== input.headSha;
    case 'on-sql-change': {
      if (review.commitId === input.headSha) return false;
      const then = input.fingerprintAt(review.commitId);
      return then === undefined || then !== input.fingerprintAt(input.headSha);
    }
  }
}

/** Approvals still standing: APPROVED reviews not withdrawn, stale, the author's or a ghost's. */
function standingApprovals(input: ApprovalInput, ignored: IgnoredApproval[]): Approval[] {
  const author = input.author.toLowerCase();
  const standing: Approval[] = [];
  for (const [i, review] of input.reviews.entries()) {
    if (review.state !== 'APPROVED' && review.state !== 'DISMISSED') continue;
    const login = review.user?.toLowerCase() ?? '(deleted user)';
    const base = { login, reviewId: review.id, at: review.submittedAt };
    const reason = whyNotStanding(input, review, i, login, author);
    if (reason) ignored.push({ ...base, ...reason });
    else standing.push({ ...base, time: Date.parse(review.submittedAt) });
  }
  // A person may approve several times (after a too-early approval, say); the assignment below
  // picks which one counts.
  return standing.sort((x, y) => x.time - y.time);
}

function whyNotStanding(
  input: ApprovalInput,
  review: Review,
  index: number,
  login: string,
  author: string,
): { reason: IgnoredReason; explanation: string } | undefined {
  if (review.state === 'DISMISSED') return { reason: 'withdrawn', explanation: 'the review was dismissed' };
  if (review.user === null)
    return { reason: 'ghost', explanation: 'the account that approved has been deleted' };
  if (login === author)
    return { reason: 'author', explanation: 'the author of a pull request cannot approve it' };
  const later = input.reviews
    .slice(index + 1)
    .find((r) => r.user?.toLowerCase() === login && r.state === 'CHANGES_REQUESTED');
  if (later) return { reason: 'withdrawn', explanation: `${login} requested changes after approving` };
  if (isStale(review, input)) {
    const why =
      input.staleApprovals === 'on-push'
        ? 'new commits were pushed after it (staleApprovals: on-push)'
        : 'the migrations or policies changed after it; approve the current version';
    return { reason: 'stale', explanation: `stale: ${why}` };
  }
  return undefined;
}

interface Assignment {
  /** approvals per step */
  readonly steps: Approval[][];
  readonly satisfiedAt: (number | undefined)[];
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

/**
 * Strict order: walk the approvals in time order; each may fill the current step if its author
 * holds the role. When a person could also fill a later step, try both (bounded search), so an
 * early approval never wastes a person another step needs.
 */
function assignStrict(
  approvals: readonly Approval[],
  members: readonly Set<string>[],
  counts: readonly number[],
  samePerson: boolean,
): Assignment {
  let best: Assignment = { steps: counts.map(() => []), satisfiedAt: counts.map(() => undefined) };
  let bestScore = score(best, counts);
  let budget = 20_000;
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

function satisfiedTimes(steps: readonly Approval[][], counts: readonly number[]): (number | undefined)[] {
  return steps.map((s, i) => (s.length >= (counts[i] ?? 1) ? Math.max(...s.map((a) => a.time)) : undefined));
}

/** Any order: a maximum matching of distinct approvers to step slots (Kuhn's algorithm). */
function assignAnyOrder(
  approvals: readonly Approval[],
  members: readonly Set<string>[],
  counts: readonly number[],
  samePerson: boolean,
): Assignment {
  const slots = counts.flatMap((c, step) => Array.from({ length: c }, () => step));
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

export function evaluateApprovals(input: ApprovalInput): ApprovalResult {
  const { flow } = input;
  const author = input.author.toLowerCase();
  const roleById = new Map(input.roles.map((r) => [r.id, r]));
  const expanded = flow.steps.map((step) => expandRole(roleById.get(step.role), input.teams));
  const members = expanded.map((e) => e.people);
  const counts = flow.steps.map((s) => s.count);
  const ignored: IgnoredApproval[] = [];
  const approvals = standingApprovals(input, ignored);
  const assignment =
    flow.order === 'strict'
      ? assignStrict(approvals, members, counts, flow.allowSamePersonInSteps)
      : assignAnyOrder(approvals, members, counts, flow.allowSamePersonInSteps);

  const counted = new Set(assignment.steps.flat());
  const stepOf = new Map<string, number>();
  assignment.steps.forEach((s, i) => {
    for (const a of s) if (!stepOf.has(a.login)) stepOf.set(a.login, i);
  });
  const title = (i: number) => roleById.get(flow.steps[i]?.role ?? '')?.title ?? flow.steps[i]?.role ?? '';
  const firstOpen = assignment.steps.findIndex((s, i) => s.length < (counts[i] ?? 1));

  const countedAt = new Map<string, number>();
  for (const a of counted) countedAt.set(a.login, Math.min(countedAt.get(a.login) ?? a.time, a.time));
  for (const a of approvals) {
    if (counted.has(a)) continue;
    // An earlier approval of someone whose later one counts was superseded: not worth a line.
    if ((countedAt.get(a.login) ?? Number.NEGATIVE_INFINITY) > a.time) continue;
    const base = { login: a.login, reviewId: a.reviewId, at: a.at };
    const roleSteps = members.map((m, i) => (m.has(a.login) ? i : -1)).filter((i) => i >= 0);
    const usedIn = stepOf.get(a.login);
    if (roleSteps.length === 0) {
      const roles = flow.steps.map((s) => s.role).join(', ');
      ignored.push({
        ...base,
        reason: 'not-a-member',
        explanation: `${a.login} holds none of the roles of this flow (${roles})`,
      });
    } else if (usedIn !== undefined && !flow.allowSamePersonInSteps) {
      ignored.push({
        ...base,
        reason: 'same-person',
        explanation: `same person as step ${usedIn + 1} (${title(usedIn)}): one person approves one step`,
      });
    } else if (
      flow.order === 'strict' &&
      roleSteps.some((i) => i > 0 && (assignment.satisfiedAt[i - 1] ?? Number.POSITIVE_INFINITY) > a.time)
    ) {
      const i = roleSteps.find((k) => k > 0) as number;
      ignored.push({
        ...base,
        reason: 'too-early',
        explanation: `too early: approved before ${title(i - 1)} had approved; approve again`,
      });
    } else {
      ignored.push({
        ...base,
        reason: 'surplus',
        explanation: 'the step it could fill already has enough approvals',
      });
    }
  }
  const finalIgnored = ignored.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));

  const used = new Set([...counted].map((a) => a.login));
  const steps: StepState[] = flow.steps.map((step, i) => {
    const got = assignment.steps[i] as Approval[];
    const people = members[i] as Set<string>;
    const satisfied = got.length >= step.count;
    const eligible = [...people]
      .filter(
        (p) =>
          p !== author && (flow.allowSamePersonInSteps || !used.has(p)) && !got.some((a) => a.login === p),
      )
      .sort();
    const notes = [...(expanded[i]?.notes ?? [])];
    let status: StepStatus;
    if (satisfied) status = 'satisfied';
    else if ([...people].filter((p) => p !== author).length === 0) {
      status = 'unsatisfiable';
      notes.unshift(
        people.size === 0
          ? `no one holds role ${step.role}`
          : `no one but the author holds role ${step.role}`,
      );
    } else if (flow.order === 'strict' && i !== firstOpen) status = 'not-yet-reachable';
    else status = 'waiting';
    const satisfiedAt = assignment.satisfiedAt[i];
    return {
      index: i,
      role: step.role,
      roleTitle: title(i),
      count: step.count,
      status,
      approvals: got.map(({ login, reviewId, at }) => ({ login, reviewId, at })),
      ...(satisfiedAt !== undefined ? { satisfiedAt: new Date(satisfiedAt).toISOString() } : {}),
      eligible,
      notes,
    };
  });
  const satisfied = steps.every((s) => s.status === 'satisfied');
  return { flow, satisfied, steps, ignored: finalIgnored, summary: summarise(steps, satisfied) };
}

function summarise(steps: readonly StepState[], satisfied: boolean): string {
  if (satisfied)
    return `approved by ${[...new Set(steps.flatMap((s) => s.approvals.map((a) => a.login)))].join(', ')}`;
  const blocked = steps.find((s) => s.status === 'unsatisfiable');
  if (blocked) return `cannot be approved: ${blocked.notes[0]}`;
  const open = steps.filter((s) => s.status === 'waiting');
  return `waiting for ${open.map((s) => `${s.roleTitle} (${s.approvals.length} of ${s.count})`).join(', ')}`;
}
