// Deploy on push to the default branch: every automatic environment in rollout order (or the one
// the workflow names), each only after the one before it took everything. Before a database is
// touched, each migration it would get must have come from a merged PR whose flow was satisfied,
// checked by the tag rollout's verifier: a status check can be forged, this cannot.
import { type DatabaseReport, exitCodeOfReports } from '../deploy/apply.js';
import { deployEnvironment, type EnvironmentDeployInput, selectDatabases } from '../deploy/fleet.js';
import { InputError, RefusedError } from '../errors.js';
import { directoryPolicySource } from '../files/policy-dir.js';
import { planChange } from '../plan/plan.js';
import { loadPolicySource } from '../policy/source.js';
import type { Environment, Policy } from '../policy/types.js';
import { deployInputOf, type RolloutContext, type RolloutReport } from './context.js';
import { approvalVerifier } from './merged-pr.js';
import { cachedVerifier, pendingReader } from './pending.js';

export interface BranchPush {
  /** The branch's previous tip, when there was one. */
  readonly before?: string;
  readonly after: string;
  readonly sender: string;
  readonly defaultBranch: string;
  /** Deploy only this environment (the Action's `environment` input). */
  readonly environment?: string;
}

type Recorded = Pick<EnvironmentDeployInput, 'prOf' | 'riskOf' | 'refuse'>;

export async function deployOnPush(ctx: RolloutContext, push: BranchPush): Promise<RolloutReport> {
  const policy = loadPolicySource(
    directoryPolicySource(`${ctx.workspace}/${ctx.policiesDir}`, ctx.policiesDir),
  );
  const targets = push.environment
    ? [push.environment]
    : policy.environments.filter((e) => e.rollout === 'automatic').map((e) => e.id);
  const verifier = cachedVerifier(
    approvalVerifier({
      repo: ctx.repo,
      github: ctx.github,
      ref: ctx.ref,
      parser: ctx.parser,
      policiesDir: ctx.policiesDir,
      migrationsDir: ctx.migrationsDir,
      defaultBranch: push.defaultBranch,
    }),
    push.after,
  );
  const reports: DatabaseReport[] = [];
  const checks: string[] = [];
  for (const id of targets) {
    const env = policy.environments.find((e) => e.id === id);
    if (env?.rollout === 'manual') {
      throw new RefusedError(
        `${env.title} rolls out only when an authorised person pushes a tag matching ${env.tag}`,
      );
    }
    let recorded: Recorded;
    if (env && !env.verifyApprovals) {
      checks.push(`approvals not re-verified: ${env.title} sets verifyApprovals: false`);
      recorded = await provenance(ctx, push);
    } else recorded = await verifyPending(ctx, policy, id, verifier);
    const batch = await deployEnvironment({
      ...deployInputOf(ctx, policy, push.sender),
      ...recorded,
      environment: id,
    });
    reports.push(...batch);
    if (exitCodeOfReports(batch) !== 0) break; // a later environment never gets what an earlier one could not take
  }
  for (const [path, verdict] of verifier.verdicts) if (verdict.ok) checks.push(`${path}: ${verdict.reason}`);
  return { reports, checks };
}

/**
 * Each database of the environment whose pending migrations did not all come from an approved,
 * merged PR is refused, with the reasons; the others deploy, recording each file's PR and risk.
 */
async function verifyPending(
  ctx: RolloutContext,
  policy: Policy,
  environment: Environment['id'],
  verifier: ReturnType<typeof cachedVerifier>,
): Promise<Recorded> {
  const { databases } = selectDatabases(policy, environment, ctx.shard ? { shard: ctx.shard } : {});
  const pendingOf = pendingReader({
    root: ctx.workspace,
    migrationsDir: ctx.migrationsDir,
    targets: ctx.targets,
  });
  const refused = new Map<string, string>();
  for (const database of databases) {
    let state: Awaited<ReturnType<typeof pendingOf>>;
    try {
      state = await pendingOf(database);
    } catch (error) {
      // Bad input (a missing URL variable) the engine reports before touching any database;
      // anything else must not let the database deploy unchecked.
      if (error instanceof InputError) continue;
      refused.set(database.name, `cannot check its pending migrations: ${(error as Error).message}`);
      continue;
    }
    // A history the engine refuses (drift, in doubt) it reports the same way without this check.
    if (!state.ok) continue;
    const reasons: string[] = [];
    for (const file of state.files) {
      const verdict = await verifier.verdictOf(file.name.path);
      if (!verdict.ok) reasons.push(verdict.reason);
    }
    if (reasons.length > 0) refused.set(database.name, reasons.join('; '));
  }
  const { verdicts } = verifier;
  return {
    refuse: (database) => refused.get(database.name),
    prOf: (path) => verdicts.get(path)?.pr ?? null,
    riskOf: (path, env) =>
      verdicts.get(path)?.levels?.find((l) => l.file === path && l.environment === env)?.level ?? null,
  };
}

/**
 * For an environment that opts out of the check: the PR that produced the pushed commit and the
 * risk each file had, so the history records them. Best effort: without them the columns stay
 * empty.
 */
async function provenance(ctx: RolloutContext, push: BranchPush): Promise<Recorded> {
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
