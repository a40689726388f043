// The pull-request check: plan the PR from the checkout, evaluate its reviews against the
// flows it needs, and tell the PR — one sticky comment and the `sqlgate/approval` status.

import { approvalsForPlan, teamsOfFlows } from '../approval/for-plan.js';
import type { ApprovalResult } from '../approval/types.js';
import { estimateFromDatabases } from '../db/estimate.js';
import type { DatabaseTargets } from '../db/targets.js';
import { InputError } from '../errors.js';
import type { GitRepo } from '../git/repo.js';
import type { GitHub } from '../github/client.js';
import {
  listPullContributors,
  listPullFiles,
  listReviews,
  type RepoRef,
  resolveTeams,
} from '../github/reads.js';
import { STATUS_CONTEXT, type StatusState, setStatus, upsertComment } from '../github/writes.js';
import { refusalsOf } from '../online/plan-executions.js';
import { readTableShapes } from '../online/read-shapes.js';
import { type PlanResult, planChange, refusalLine } from '../plan/plan.js';
import type { Policy } from '../policy/types.js';
import {
  type CheckRehearsalResult,
  type CheckRehearsalSettings,
  checkRehearsal,
} from '../rehearsal/for-check.js';
import { errorComment, errorHeadline } from '../report/errors.js';
import { commentMarkdown } from '../report/markdown.js';
import { policyChangeMarkdown } from '../report/policy-change.js';
import type { AnalysedMigrationWithText } from '../risk/evaluate.js';
import type { StatementParser } from '../sql/analyse.js';
import { reviewPolicyChange } from '../whatif/policy-change.js';

export interface PullRequestRef {
  readonly number: number;
  readonly author: string;
  readonly baseSha: string;
  readonly headSha: string;
  readonly changedFiles: number;
  /** The base branch (`pull_request.base.ref`): its tip holds the policies in force. */
  readonly baseRef?: string;
  /** The head branch lives in a fork: GitHub gives its workflows a read-only token. */
  readonly fromFork?: boolean;
}

export interface CheckInput {
  readonly repo: GitRepo;
  readonly github: GitHub;
  readonly ref: RepoRef;
  readonly pull: PullRequestRef;
  readonly parser: StatementParser;
  readonly policiesDir: string;
  readonly migrationsDir: string;
  /** Link for the status and for a shortened comment: the workflow run. */
  readonly detailsUrl?: string;
  readonly log?: (message: string) => void;
  /** A database to rehearse the PR's migrations on. */
  readonly rehearsal?: CheckRehearsalSettings;
  /** Milliseconds the what-if replay of a policy change may take (default 60 s). */
  readonly whatIfBudgetMs?: number;
  /** Replay at most this many of the newest landed changes (default all). */
  readonly whatIfLimit?: number;
  /**
   * Where the databases are (their URL variables). Databases whose URL is set get row
   * estimates and, for ALTERs an onlineSchemaChange routes, their table read (as `plan
   * --estimate` does), so the comment shows how each ALTER will run and a refusal fails the check.
   */
  readonly databases?: DatabaseTargets;
}

/** `plan --estimate` for the check, only when at least one database's URL variable is set. */
function estimateOptions(input: CheckInput, log: (message: string) => void) {
  const env = input.databases;
  if (!env) return {};
  return {
    estimates: (policy: Policy, migrations: readonly AnalysedMigrationWithText[]) =>
      policy.databases.some((d) => env.has(d))
        ? estimateFromDatabases(policy, migrations, env, log)
        : Promise.resolve(() => ({ tableRows: 'unknown' as const, affectedRows: 'unknown' as const })),
    tableShapes: (policy: Policy, migrations: readonly AnalysedMigrationWithText[]) =>
      readTableShapes(policy, migrations, env, log),
  };
}

export type CheckOutcome =
  | {
      readonly ok: true;
      readonly plan: PlanResult;
      readonly approvals: readonly ApprovalResult[];
      readonly approved: boolean;
      readonly status: { readonly state: StatusState; readonly description: string };
      readonly comment: string;
      readonly rehearsal: CheckRehearsalResult;
      /** For a PR that edits the policies: the comment's policy-test and what-if sections. */
      readonly policyReview?: readonly string[];
    }
  | { readonly ok: false; readonly error: InputError; readonly comment: string };

export async function runCheck(input: CheckInput): Promise<CheckOutcome> {
  const { github, ref, pull, repo } = input;
  const log = input.log ?? (() => {});
  let plan: PlanResult;
  let rehearsal: ReturnType<typeof checkRehearsal>;
  try {
    await verifyCheckout(input);
    const base = await policyBase(repo, pull);
    rehearsal = checkRehearsal({ ...input, base, head: pull.headSha, settings: input.rehearsal, log });
    plan = await planChange({
      repo,
      base,
      head: pull.headSha,
      policiesDir: input.policiesDir,
      migrationsDir: input.migrationsDir,
      parser: input.parser,
      onProgress: log,
      ...estimateOptions(input, log),
      ...rehearsal.planOptions,
    });
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    const comment = errorComment(error);
    await report(input, comment, {
      state: 'failure',
      description: `policy or migration errors: ${errorHeadline(error)}`,
    });
    return { ok: false, error, comment };
  }

  let approvals: ApprovalResult[] = [];
  if (plan.flows.length > 0) {
    const reviews = await listReviews(github, ref, pull.number);
    const teams = await resolveTeams(github, teamsOfFlows(plan));
    approvals = await approvalsForPlan({
      repo,
      plan,
      reviews,
      teams,
      author: pull.author,
      contributors: await listPullContributors(github, ref, pull.number),
      headSha: pull.headSha,
      fetchCommit: (sha) => repo.fetchCommit(sha),
    });
  }
  const approved = approvals.every((a) => a.state === 'approved');
  const rehearsed = await rehearsal.finish(plan);
  // A migration that does not apply fails the PR whatever the approvals.
  const status: { state: StatusState; description: string } = rehearsed.problem
    ? { state: 'failure', description: `rehearsal failed: ${rehearsed.problem}` }
    : statusOf(plan, approvals);
  const policyReview = plan.policyChange ? await policyChangeSections(input, log) : undefined;
  const comment = commentMarkdown({
    plan,
    approvals,
    ...(input.detailsUrl ? { detailsUrl: input.detailsUrl } : {}),
    ...(rehearsed.report || rehearsed.missing.length > 0 ? { rehearsal: rehearsed } : {}),
    ...(policyReview ? { policyReview } : {}),
  });
  await report(input, comment, status);
  return {
    ok: true,
    plan,
    approvals,
    approved,
    status,
    comment,
    rehearsal: rehearsed,
    ...(policyReview ? { policyReview } : {}),
  };
}

/**
 * A PR that edits the policies: the base branch's policy tests against the PR's policies, and
 * what the change would have done to what already landed. Informative only: it never changes
 * the status, and a failure to compute it is reported in the comment rather than failing the check.
 */
async function policyChangeSections(input: CheckInput, log: (m: string) => void): Promise<string[]> {
  try {
    log("policy change: running the base branch's policy tests and the what-if replay");
    const review = await reviewPolicyChange({
      repo: input.repo,
      baseSha: input.pull.baseSha,
      headSha: input.pull.headSha,
      policiesDir: input.policiesDir,
      migrationsDir: input.migrationsDir,
      parser: input.parser,
      ...(input.whatIfBudgetMs !== undefined ? { budgetMs: input.whatIfBudgetMs } : {}),
      ...(input.whatIfLimit !== undefined ? { limit: input.whatIfLimit } : {}),
    });
    return policyChangeMarkdown(review, input.policiesDir);
  } catch (error) {
    return [
      `> ⚠️ The policy tests and the what-if replay could not run: ${(error as Error).message.split('\n')[0]}`,
      '',
    ];
  }
}

/** Write the comment and the status; a write the token may not make says which permission it needs. */
async function report(
  input: CheckInput,
  comment: string,
  status: { state: StatusState; description: string },
): Promise<void> {
  const { github, ref, pull } = input;
  await upsertComment(github, ref, pull.number, comment).catch((error: unknown) => {
    throw forbidden(error, input, 'write the PR comment', 'pull-requests: write');
  });
  await setStatus(github, ref, pull.headSha, status.state, status.description, input.detailsUrl).catch(
    (error: unknown) => {
      throw forbidden(error, input, `set the ${STATUS_CONTEXT} status`, 'statuses: write');
    },
  );
}

/** GitHub's 403 says only "Resource not accessible by integration"; name the missing permission. */
function forbidden(error: unknown, input: CheckInput, what: string, permission: string): unknown {
  if ((error as { status?: number }).status !== 403) return error;
  const reply = (error as { response?: { data?: { message?: string } } }).response?.data?.message;
  const fork = input.pull.fromFork
    ? "; this pull request comes from a fork, and GitHub gives a fork's workflow a read-only token: see README.md#forks"
    : '';
  return new InputError(
    `cannot ${what} (HTTP 403: ${reply ?? (error as Error).message}): the workflow's token needs the \`${permission}\` permission (add it under permissions: in the workflow)${fork}`,
  );
}

function statusOf(
  plan: PlanResult,
  approvals: readonly ApprovalResult[],
): { state: StatusState; description: string } {
  // What the deploy would refuse, or the online tool cannot do, would fail after the merge: the
  // PR cannot pass as it is.
  // (The count first: GitHub keeps 140 characters, and one reason fills them.)
  const [first] = plan.deployRefusals;
  const count = plan.deployRefusals.length;
  if (first !== undefined)
    return {
      state: 'failure',
      description: `the deploy would refuse ${count > 1 ? `${count} files, first ` : ''}${refusalLine(first)}`,
    };
  const refused = refusalsOf(plan.risk, plan.executions);
  if (refused.length > 0)
    return {
      state: 'failure',
      description: `online schema change refused: ${refused[0]}${refused.length > 1 ? ` (and ${refused.length - 1} more)` : ''}`,
    };
  if (plan.flows.length === 0)
    return { state: 'success', description: `risk ${plan.risk.level}: no approval needed` };
  const blocked = approvals.find((a) => a.state === 'blocked');
  if (blocked) return { state: 'failure', description: blocked.summary };
  const open = approvals.filter((a) => a.state === 'waiting');
  if (open.length > 0) return { state: 'pending', description: open.map((a) => a.summary).join('; ') };
  return {
    state: 'success',
    description: `risk ${plan.risk.level}: ${approvals.map((a) => a.summary).join('; ')}`,
  };
}

/**
 * The commit whose policies judge the PR: the tip of its base branch, freshly fetched when the
 * checkout has a remote, and never older than the event's base.sha. Not the merge base: the
 * author picks that by branching from an old commit, and would pick the policies with it.
 */
async function policyBase(repo: GitRepo, pull: PullRequestRef): Promise<string> {
  const { baseRef } = pull;
  if (!baseRef) return pull.baseSha;
  const current = async () => {
    const tip = await repo.branchTip(baseRef);
    return tip && (await repo.isAncestor(pull.baseSha, tip)) ? tip : undefined;
  };
  // The checkout is usually as new as the event; fetch only when it is older.
  const known = await current();
  if (known) return known;
  await repo.fetch(`+refs/heads/${baseRef}:refs/remotes/origin/${baseRef}`).catch(() => {});
  return (await current()) ?? pull.baseSha;
}

/**
 * The plan reads the checkout; make sure it holds the PR. A shallow clone (actions/checkout's
 * default fetch-depth: 1) lacks the base commit, and a stale one would plan other SQL.
 */
async function verifyCheckout(input: CheckInput): Promise<void> {
  const { repo, pull } = input;
  for (const [what, sha] of [
    ['base', pull.baseSha],
    ['head', pull.headSha],
  ] as const) {
    if (!(await repo.hasCommit(sha))) {
      throw new InputError(
        `the checkout does not contain the PR's ${what} commit ${sha.slice(0, 7)}; check out with actions/checkout and fetch-depth: 0`,
      );
    }
  }
  const api = await listPullFiles(input.github, input.ref, pull.number, pull.changedFiles);
  if (!api) return; // more than GitHub lists: the git diff is the only source
  const watched = (p: string) =>
    p.startsWith(`${input.migrationsDir}/`) || p.startsWith(`${input.policiesDir}/`);
  const merge = await repo.mergeBase(pull.baseSha, pull.headSha);
  const local = new Set(
    (await repo.changedFiles(merge, pull.headSha))
      .flatMap((c) => [c.path, ...(c.from ? [c.from] : [])])
      .filter(watched),
  );
  const missing = api.filter(watched).filter((p) => !local.has(p));
  if (missing.length > 0) {
    throw new InputError(
      `the checkout does not match the PR: GitHub lists ${missing.slice(0, 3).join(', ')} as changed but the checkout does not`,
    );
  }
}
