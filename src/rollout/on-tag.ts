// Rollout by tag: check the tag's conditions (rollout/gate.ts), then deploy the environment it
// names. A refusal deploys nothing and says which condition failed.
import { deployEnvironment } from '../deploy/fleet.js';
import { loadPolicyDir } from '../files/policy-dir.js';
import { resolveTeams } from '../github/reads.js';
import { deployInputOf, type RolloutContext, type RolloutReport } from './context.js';
import { checkTagRollout } from './gate.js';
import { approvalVerifier } from './merged-pr.js';

export interface TagPush {
  readonly tag: string;
  readonly commit: string;
  /** The authenticated pusher, not the tag's self-declared tagger. */
  readonly sender: string;
  readonly defaultBranch: string;
}

export async function rolloutOnTag(ctx: RolloutContext, push: TagPush): Promise<RolloutReport> {
  const policy = loadPolicyDir(`${ctx.workspace}/${ctx.policiesDir}`, ctx.policiesDir);
  const { repo } = ctx;
  const tagCommit = await repo.resolve(push.commit);
  const branch = push.defaultBranch;
  const onDefault =
    (await repo.isAncestor(tagCommit, `refs/remotes/origin/${branch}`)) ||
    (await repo.isAncestor(tagCommit, branch));
  const roleTeams = policy.roles.flatMap((r) => r.members.filter((m) => m.includes('/')));
  const result = await checkTagRollout({
    policy,
    tag: push.tag,
    tagCommit,
    onDefaultBranch: onDefault,
    defaultBranch: branch,
    sender: push.sender,
    teams: await resolveTeams(ctx.github, roleTeams),
    root: ctx.workspace,
    migrationsDir: ctx.migrationsDir,
    env: ctx.env,
    verify: approvalVerifier({
      repo,
      github: ctx.github,
      ref: ctx.ref,
      parser: ctx.parser,
      policiesDir: ctx.policiesDir,
      migrationsDir: ctx.migrationsDir,
      defaultBranch: branch,
    }),
  });
  if (!result.ok)
    return {
      reports: [],
      checks: result.checks,
      refused: { condition: result.condition, reason: result.reason },
    };
  const { verdicts } = result;
  const reports = await deployEnvironment({
    ...deployInputOf(ctx, policy, push.sender),
    environment: result.environment.id,
    prOf: (path) => verdicts.get(path)?.pr ?? null,
    riskOf: (path, env) =>
      verdicts.get(path)?.levels?.find((l) => l.file === path && l.environment === env)?.level ?? null,
  });
  return { reports, checks: result.checks };
}
