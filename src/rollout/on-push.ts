// Deploy on push to the default branch: every automatic environment in rollout order (or the one
// the workflow names), each only after the one before it took everything.

import type { DatabaseReport } from '../deploy/apply.js';
import { exitCodeOfReports } from '../deploy/apply.js';
import { deployEnvironment } from '../deploy/fleet.js';
import { RefusedError } from '../errors.js';
import { loadPolicyDir } from '../files/policy-dir.js';
import { planChange } from '../plan/plan.js';
import { deployInputOf, type RolloutContext, type RolloutReport } from './context.js';

export interface BranchPush {
  /** The branch's previous tip, when there was one. */
  readonly before?: string;
  readonly after: string;
  readonly sender: string;
  /** Deploy only this environment (the Action's `environment` input). */
  readonly environment?: string;
}

export async function deployOnPush(ctx: RolloutContext, push: BranchPush): Promise<RolloutReport> {
  const policy = loadPolicyDir(`${ctx.workspace}/${ctx.policiesDir}`, ctx.policiesDir);
  const recorded = await provenance(ctx, push);
  const targets = push.environment
    ? [push.environment]
    : policy.environments.filter((e) => e.rollout === 'automatic').map((e) => e.id);
  const reports: DatabaseReport[] = [];
  for (const id of targets) {
    const env = policy.environments.find((e) => e.id === id);
    if (env?.rollout === 'manual') {
      throw new RefusedError(
        `${env.title} rolls out only when an authorised person pushes a tag matching ${env.tag}`,
      );
    }
    const batch = await deployEnvironment({
      ...deployInputOf(ctx, policy, push.sender),
      ...recorded,
      environment: id,
    });
    reports.push(...batch);
    if (exitCodeOfReports(batch) !== 0) break; // a later environment never gets what an earlier one could not take
  }
  return { reports, checks: [] };
}

/**
 * The PR that produced the pushed commit and the risk each file had, so the history records
 * them. Best effort: without them the columns stay empty.
 */
async function provenance(
  ctx: RolloutContext,
  push: BranchPush,
): Promise<{
  prOf?: (path: string) => number | null;
  riskOf?: (path: string, env: string) => string | null;
}> {
  if (!push.before) return {};
  try {
    const plan = await planChange({
      repo: ctx.repo,
      base: push.before,
      head: push.after,
      policiesDir: ctx.policiesDir,
      migrationsDir: ctx.migrationsDir,
      parser: ctx.parser,
    });
    const { data: pulls } = await ctx.github.rest.repos.listPullRequestsAssociatedWithCommit({
      ...ctx.ref,
      commit_sha: push.after,
    });
    const pr = pulls.find((p) => p.merged_at)?.number ?? null;
    return {
      prOf: () => pr,
      riskOf: (path, env) =>
        plan.risk.tasks.find((t) => t.file === path && t.environment === env)?.level ?? null,
    };
  } catch (error) {
    ctx.warn(
      `sqlgate: could not determine the PR and risk of this push (${(error as Error).message}); the history records them as empty`,
    );
    return {};
  }
}
