// Rollout by tag: check the tag's conditions (rollout/gate.ts) under the default branch's current
// policies, then deploy the environment the tag names; a `rollback/<env>/<version>` tag runs the
// reviewed down files instead (rollout/rollback-gate.ts). A refusal changes nothing and says
// which condition failed.
import { deployEnvironment } from '../deploy/fleet.js';
import { InputError } from '../errors.js';
import { commitPolicySource } from '../git/policy-source.js';
import { resolveTeams } from '../github/reads.js';
import { loadPolicySource } from '../policy/source.js';
import { deployInputOf, type RolloutContext, type RolloutReport } from './context.js';
import { checkTagRollout } from './gate.js';
import { approvalVerifier } from './merged-pr.js';
import { rollbackOnTag } from './on-rollback-tag.js';
import { isRollbackTag } from './rollback-gate.js';

export interface TagPush {
  readonly tag: string;
  readonly commit: string;
  /** The authenticated pusher, not the tag's self-declared tagger. */
  readonly sender: string;
  readonly defaultBranch: string;
}

export async function rolloutOnTag(ctx: RolloutContext, push: TagPush): Promise<RolloutReport> {
  const { repo } = ctx;
  const branch = push.defaultBranch;
  const tip = await repo.branchTip(branch);
  if (!tip) {
    throw new InputError(
      `the checkout has no ${branch} branch (refs/remotes/origin/${branch}) to check the tag against; check out with actions/checkout and fetch-depth: 0`,
    );
  }
  // Who may roll out, and every other rule, as the default branch says now: never the tagged
  // commit's, which may be an old one from before someone left a role, or one off the branch.
  const policy = loadPolicySource(await commitPolicySource(repo, tip, ctx.policiesDir, `tip of ${branch}`));
  const tagCommit = await repo.resolve(push.commit);
  const onDefault = await repo.isAncestor(tagCommit, tip);
  const roleTeams = policy.roles.flatMap((r) => r.members.filter((m) => m.includes('/')));
  const tagged = {
    policy,
    tag: push.tag,
    tagCommit,
    onDefaultBranch: onDefault,
    defaultBranch: branch,
    sender: push.sender,
    teams: await resolveTeams(ctx.github, roleTeams),
    verify: approvalVerifier({
      repo,
      github: ctx.github,
      ref: ctx.ref,
      parser: ctx.parser,
      policiesDir: ctx.policiesDir,
      migrationsDir: ctx.migrationsDir,
      defaultBranch: branch,
      // A down file runs on the database like a migration: its PR is judged with its SQL.
      ...(isRollbackTag(push.tag) ? { judgeDownFiles: true } : {}),
    }),
  };
  if (isRollbackTag(push.tag)) return rollbackOnTag(ctx, tagged);
  const result = await checkTagRollout({
    ...tagged,
    root: ctx.workspace,
    migrationsDir: ctx.migrationsDir,
    targets: ctx.targets,
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
