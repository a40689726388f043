// Was a migration approved? Find the pull request that brought it to the default branch and
// re-evaluate that PR's flows against its reviews as they stood when it merged.
import { approvalsForPlan, teamsOfFlows } from '../approval/for-plan.js';
import { InputError } from '../errors.js';
import type { GitRepo } from '../git/repo.js';
import type { GitHub } from '../github/client.js';
import { listPullContributors, listReviews, type RepoRef, resolveTeams } from '../github/reads.js';
import { planChange } from '../plan/plan.js';
import type { RiskLevel } from '../policy/types.js';
import type { StatementParser } from '../sql/analyse.js';
import { isDownFile } from '../sql/migration-name.js';

export interface MergedPrVerdict {
  readonly ok: boolean;
  readonly pr?: number;
  readonly reason: string;
  /** The risk level of each of the PR's tasks, for the history. */
  readonly levels?: readonly {
    readonly file: string;
    readonly environment: string;
    readonly level: RiskLevel;
  }[];
}

export interface VerifierContext {
  readonly repo: GitRepo;
  readonly github: GitHub;
  readonly ref: RepoRef;
  readonly parser: StatementParser;
  readonly policiesDir: string;
  readonly migrationsDir: string;
  readonly defaultBranch: string;
  /**
   * Verifying down files (the rollback tag): the PR is judged with its down files' SQL too, and a
   * down file's PR is the one that last added or edited it (down files may be revised).
   */
  readonly judgeDownFiles?: boolean;
}

/** Checks migrations against the PRs that merged them; each PR is evaluated once per verifier. */
export function approvalVerifier(
  ctx: VerifierContext,
): (path: string, commit: string) => Promise<MergedPrVerdict> {
  const verdicts = new Map<number, Promise<MergedPrVerdict>>();
  return (path, commit) => verifyMigrationApproved(ctx, verdicts, path, commit);
}

/** The verdict for the PR that added `path` (as of `commit`). */
async function verifyMigrationApproved(
  ctx: VerifierContext,
  verdicts: Map<number, Promise<MergedPrVerdict>>,
  path: string,
  commit: string,
): Promise<MergedPrVerdict> {
  const adding =
    ctx.judgeDownFiles && isDownFile(path)
      ? (await ctx.repo.commitsChanging(path, commit))[0]
      : (await ctx.repo.commitsAdding(path, commit)).pop();
  if (!adding)
    return { ok: false, reason: `${path}: no commit on the history of ${commit.slice(0, 7)} adds it` };
  const { data: pulls } = await ctx.github.rest.repos.listPullRequestsAssociatedWithCommit({
    ...ctx.ref,
    commit_sha: adding,
  });
  const merged = pulls.find((p) => p.merged_at && p.base.ref === ctx.defaultBranch);
  if (!merged) {
    return {
      ok: false,
      reason: `${path} was pushed to ${ctx.defaultBranch} without a merged pull request (commit ${adding.slice(0, 7)})`,
    };
  }
  let verdict = verdicts.get(merged.number);
  if (!verdict) {
    verdict = verifyPr(ctx, merged);
    verdicts.set(merged.number, verdict);
  }
  const result = await verdict;
  if (!result.ok) return { ...result, reason: `${path}: ${result.reason}` };
  // A direct push after the merge must not smuggle in SQL nobody approved.
  const [atHead, atCommit] = await Promise.all([
    ctx.repo.readFiles(merged.head.sha, [path]),
    ctx.repo.readFiles(commit, [path]),
  ]);
  const before = atHead.get(path);
  const now = atCommit.get(path);
  if (!before || !now || !before.equals(now)) {
    return {
      ok: false,
      pr: merged.number,
      reason: `${path} differs from what PR #${merged.number} approved`,
    };
  }
  return result;
}

type Pull = Awaited<
  ReturnType<GitHub['rest']['repos']['listPullRequestsAssociatedWithCommit']>
>['data'][number];

async function verifyPr(ctx: VerifierContext, pr: Pull): Promise<MergedPrVerdict> {
  const number = pr.number;
  if (!(await ctx.repo.hasCommit(pr.head.sha))) {
    await ctx.repo.fetch(`+refs/pull/${number}/head:refs/remotes/pull/${number}/head`).catch(() => {});
  }
  // The policies in force are those at the base branch's tip when it merged: the merge commit's
  // first parent (for a squash, the commit before it). Never the PR's merge base, which its
  // author chose by branching.
  const baseTip = pr.merge_commit_sha ? await ctx.repo.firstParent(pr.merge_commit_sha) : undefined;
  if (!baseTip) {
    return {
      ok: false,
      pr: number,
      reason: `PR #${number} cannot be re-evaluated: its merge commit ${pr.merge_commit_sha?.slice(0, 7) ?? '(none)'} is not in this checkout (check out with fetch-depth: 0)`,
    };
  }
  let plan: Awaited<ReturnType<typeof planChange>>;
  try {
    plan = await planChange({
      repo: ctx.repo,
      base: baseTip,
      head: pr.head.sha,
      policiesDir: ctx.policiesDir,
      migrationsDir: ctx.migrationsDir,
      parser: ctx.parser,
      ...(ctx.judgeDownFiles ? { judgeDownFiles: true } : {}),
    });
  } catch (error) {
    const message = error instanceof InputError ? error.message.split('\n')[0] : String(error);
    return { ok: false, pr: number, reason: `PR #${number} cannot be re-evaluated: ${message}` };
  }
  if (plan.flows.length === 0)
    return { ok: true, pr: number, reason: `PR #${number} needed no approval`, levels: levelsOf(plan) };
  const mergedAt = Date.parse(pr.merged_at as string);
  const reviews = (await listReviews(ctx.github, ctx.ref, number)).filter(
    (r) => Date.parse(r.submittedAt) <= mergedAt,
  );
  const teams = await resolveTeams(ctx.github, teamsOfFlows(plan));
  const approvals = await approvalsForPlan({
    repo: ctx.repo,
    plan,
    reviews,
    teams,
    author: pr.user?.login ?? '',
    contributors: await listPullContributors(ctx.github, ctx.ref, number),
    fetchCommit: (sha) => ctx.repo.fetchCommit(sha),
    headSha: pr.head.sha,
  });
  const open = approvals.filter((a) => a.state !== 'approved');
  if (open.length > 0) {
    return {
      ok: false,
      pr: number,
      reason: `PR #${number} merged without its approvals: ${open.map((a) => `${a.flow.title}: ${a.summary}`).join('; ')}`,
    };
  }
  return {
    ok: true,
    pr: number,
    reason: `PR #${number} was approved (${plan.flows.map((f) => f.flow.title).join(', ')})`,
    levels: levelsOf(plan),
  };
}

function levelsOf(plan: Awaited<ReturnType<typeof planChange>>) {
  return plan.risk.tasks.map((t) => ({ file: t.file, environment: t.environment, level: t.level }));
}
