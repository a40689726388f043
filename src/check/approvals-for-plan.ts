// The approval state of every flow a plan needs: fingerprints from the checkout, then the pure
// approval function per flow. The PR check, the tag rollout and `plan --reviews` share it.
import {
  type ApprovalResult,
  evaluateApprovals,
  type Review,
  type TeamMembers,
} from '../approval/evaluate.js';
import type { GitRepo } from '../git/repo.js';
import type { PlanResult } from '../plan/plan.js';

export async function approvalsForPlan(input: {
  readonly repo: GitRepo;
  readonly plan: PlanResult;
  readonly reviews: readonly Review[];
  readonly teams: ReadonlyMap<string, TeamMembers>;
  readonly author: string;
  readonly headSha: string;
}): Promise<ApprovalResult[]> {
  const { repo, plan, reviews } = input;
  if (plan.flows.length === 0) return [];
  const dirs = [plan.migrationsDir, plan.policiesDir];
  const fingerprints = new Map<string, string | undefined>();
  for (const commit of new Set([input.headSha, ...reviews.map((r) => r.commitId)])) {
    fingerprints.set(commit, await repo.fingerprint(commit, dirs));
  }
  return plan.flows.map((required) =>
    evaluateApprovals({
      flow: required.flow,
      roles: plan.policy.roles,
      teams: input.teams,
      author: input.author,
      reviews,
      headSha: input.headSha,
      staleApprovals: plan.policy.approval.staleApprovals,
      fingerprintAt: (commit) => fingerprints.get(commit),
    }),
  );
}

/** Teams (`org/team`) that hold a role of one of the plan's flows: only those need reading. */
export function teamsOfFlows(plan: PlanResult): string[] {
  const roleIds = new Set(plan.flows.flatMap((f) => f.flow.steps.map((s) => s.role)));
  return plan.policy.roles
    .filter((r) => roleIds.has(r.id))
    .flatMap((r) => r.members.filter((m) => m.includes('/')));
}
