// With a token: the GitHub side of a replay. Commits git cannot attribute (a rebase merge, say)
// are looked up as GitHub's "pull requests associated with a commit", and each PR whose flow the
// proposed policies change is re-evaluated against the reviews it actually got before it merged.
import { approvalsForPlan, teamsOfFlows } from '../approval/for-plan.js';
import type { GitRepo } from '../git/repo.js';
import type { GitHub } from '../github/client.js';
import { listReviews, type RepoRef, resolveTeams } from '../github/reads.js';
import type { Policy } from '../policy/types.js';
import type { LandedChange, PastReviewVerdict, WhatIfReport } from './replay.js';

async function mergedPullOf(github: GitHub, ref: RepoRef, commit: string, pr?: number) {
  const { data } = await github.rest.repos.listPullRequestsAssociatedWithCommit({
    ...ref,
    commit_sha: commit,
  });
  return data.find((p) => p.merged_at && (pr === undefined || p.number === pr));
}

/** Attribute commits with no PR in their message through the API; the others keep git's answer. */
export async function attributeThroughGitHub(
  github: GitHub,
  ref: RepoRef,
  changes: readonly LandedChange[],
): Promise<LandedChange[]> {
  const out: LandedChange[] = [];
  for (const c of changes) {
    if (c.attribution.pr !== undefined) {
      out.push(c);
      continue;
    }
    const pull = await mergedPullOf(github, ref, c.commit);
    out.push(pull ? { ...c, attribution: { ...c.attribution, pr: pull.number, title: pull.title } } : c);
  }
  return out;
}

/** For each changed PR that needs a flow under the proposed policies: would its reviews have approved it? */
export async function pastReviewVerdicts(input: {
  readonly github: GitHub;
  readonly ref: RepoRef;
  readonly repo: GitRepo;
  readonly report: WhatIfReport;
  readonly proposed: Policy;
  readonly policiesDir: string;
  readonly migrationsDir: string;
}): Promise<PastReviewVerdict[]> {
  const { github, ref, repo, proposed } = input;
  const verdicts: PastReviewVerdict[] = [];
  for (const d of input.report.changed) {
    const number = d.change.attribution.pr;
    const flow = proposed.approval.flows.find((f) => f.id === d.proposed.flow?.id);
    if (number === undefined || !d.flowChanged || !flow) continue;
    const pull = await mergedPullOf(github, ref, d.change.commit, number);
    if (!pull) {
      verdicts.push({
        pr: number,
        flow: flow.id,
        approved: false,
        summary: 'not found as a merged PR on GitHub',
      });
      continue;
    }
    if (!(await repo.hasCommit(pull.head.sha)))
      await repo.fetch(`+refs/pull/${number}/head:refs/remotes/pull/${number}/head`).catch(() => {});
    const mergedAt = Date.parse(pull.merged_at as string);
    const reviews = (await listReviews(github, ref, number)).filter(
      (r) => Date.parse(r.submittedAt) <= mergedAt,
    );
    const plan = {
      base: { commit: pull.base.sha },
      policy: proposed,
      policiesDir: input.policiesDir,
      migrationsDir: input.migrationsDir,
      flows: [{ flow }],
    };
    const [result] = await approvalsForPlan({
      repo,
      plan,
      reviews,
      teams: await resolveTeams(github, teamsOfFlows(plan)),
      author: pull.user?.login ?? '',
      headSha: pull.head.sha,
    });
    if (!result) continue;
    verdicts.push({
      pr: number,
      flow: flow.id,
      approved: result.state === 'approved',
      summary: result.summary,
    });
  }
  return verdicts;
}
