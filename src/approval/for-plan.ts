// The approval state of every flow a plan needs: fingerprints of the content each review approved,
// then the pure approval function per flow. The PR check, the tag rollout and `plan --reviews`
// share it.
import { GATE_PATHS } from '../policy/gate-files.js';
import type { ApprovalFlow, Policy } from '../policy/types.js';
import { evaluateApprovals } from './evaluate.js';
import type { ApprovalResult, Contributor, Review, TeamMembers } from './types.js';

/** Where fingerprints come from (the git checkout); undefined when the commit is not there. */
export interface ContentHistory {
  fingerprint(commit: string, dirs: readonly string[]): Promise<string | undefined>;
}

/** The part of a plan the approvals depend on. */
export interface PlannedFlows {
  readonly policy: Policy;
  readonly policiesDir: string;
  readonly migrationsDir: string;
  readonly flows: readonly { readonly flow: ApprovalFlow }[];
}

export async function approvalsForPlan(input: {
  readonly repo: ContentHistory;
  readonly plan: PlannedFlows;
  readonly reviews: readonly Review[];
  readonly teams: ReadonlyMap<string, TeamMembers>;
  readonly author: string;
  /** Who authored or committed the PR's commits; none are known offline. */
  readonly contributors?: readonly Contributor[];
  readonly headSha: string;
  /**
   * Brings a reviewed commit the checkout lacks (a rebase leaves the approved one unreachable);
   * true when it is now there. Without it, a missing commit stays missing.
   */
  readonly fetchCommit?: (sha: string) => Promise<boolean>;
}): Promise<ApprovalResult[]> {
  const { repo, plan, reviews } = input;
  if (plan.flows.length === 0) return [];
  const dirs = [plan.migrationsDir, plan.policiesDir, ...GATE_PATHS];
  const fingerprints = new Map<string, string | undefined>();
  for (const commit of new Set([input.headSha, ...reviews.map((r) => r.commitId)])) {
    let fingerprint = await repo.fingerprint(commit, dirs);
    if (fingerprint === undefined && input.fetchCommit && (await input.fetchCommit(commit)))
      fingerprint = await repo.fingerprint(commit, dirs);
    fingerprints.set(commit, fingerprint);
  }
  return plan.flows.map((required) =>
    evaluateApprovals({
      flow: required.flow,
      roles: plan.policy.roles,
      teams: input.teams,
      author: input.author,
      contributors: input.contributors ?? [],
      reviews,
      headSha: input.headSha,
      staleApprovals: plan.policy.approval.staleApprovals,
      fingerprintAt: (commit) => fingerprints.get(commit),
    }),
  );
}

/** Teams (`org/team`) that hold a role of one of the plan's flows: only those need reading. */
export function teamsOfFlows(plan: PlannedFlows): string[] {
  const roleIds = new Set(plan.flows.flatMap((f) => f.flow.steps.map((s) => s.role)));
  return plan.policy.roles
    .filter((r) => roleIds.has(r.id))
    .flatMap((r) => r.members.filter((m) => m.includes('/')));
}
