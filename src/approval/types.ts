// The approval engine's data: what it takes (a flow, roles, reviews) and what it returns (the
// state of the flow and of every step, and why each uncounted approval did not count).
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

/** Someone who authored or committed (pushed) a commit of the PR: they cannot approve it. */
export interface Contributor {
  readonly login: string;
  /** Their first commit in the PR. */
  readonly commit: string;
  /** Committed it (pushed it to the PR), or only authored it. */
  readonly pushed: boolean;
}

export interface ApprovalInput {
  readonly flow: ApprovalFlow;
  readonly roles: readonly Role[];
  readonly teams: ReadonlyMap<string, TeamMembers>;
  readonly author: string;
  readonly contributors: readonly Contributor[];
  /** In submission order. */
  readonly reviews: readonly Review[];
  readonly headSha: string;
  readonly staleApprovals: StaleApprovals;
  /** Fingerprint of the PR's change to migrations and policies as of a commit; undefined when the commit is gone. */
  readonly fingerprintAt: (commit: string) => string | undefined;
}

export type IgnoredReason =
  | 'ghost'
  | 'author'
  | 'contributor'
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

/** A standing request for changes from someone who holds a role of the flow. */
export interface Rejection {
  readonly login: string;
  readonly reviewId: number;
  readonly at: string;
}

/**
 * Where a flow stands: `approved` when every step is satisfied; `blocked` when more approvals
 * alone cannot approve it (a step no one may fill, or a standing request for changes);
 * otherwise `waiting`. Decisions read this, never the summary.
 */
export type ApprovalState = 'approved' | 'waiting' | 'blocked';

export interface ApprovalResult {
  readonly flow: ApprovalFlow;
  readonly state: ApprovalState;
  readonly steps: readonly StepState[];
  readonly ignored: readonly IgnoredApproval[];
  /** Requests for changes that block the flow (empty unless `blockOnChangesRequested`). */
  readonly rejections: readonly Rejection[];
  /** One line for a commit status, made from `state`: "waiting for DBA (1 of 2)". */
  readonly summary: string;
}
