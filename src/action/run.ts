// What the Action does for each event: route it to its handler (the PR check, deploy on push,
// rollout by tag), then render the handler's report through the runner (outputs, annotations,
// job summary). A thrown error becomes the step's failure.
import * as core from '@actions/core';
import { type PullRequestRef, runCheck } from '../check/check.js';
import { maskUrl, urlSecrets } from '../db/url.js';
import { exitCodeOfReports } from '../deploy/apply.js';
import { cancelOnSignals } from '../deploy/cancel.js';
import { InputError, RefusedError } from '../errors.js';
import { GitRepo } from '../git/repo.js';
import { createGitHub, type GitHub } from '../github/client.js';
import { sharedParser } from '../parser/pool.js';
import { planChange } from '../plan/plan.js';
import { diagnosticAnnotations, riskAnnotations } from '../report/annotations.js';
import { deployedOutput, deployProblems, rollbackProblems, rolloutText } from '../report/deploy.js';
import { commentMarkdown } from '../report/markdown.js';
import type { RolloutContext, RolloutReport } from '../rollout/context.js';
import { deployOnPush } from '../rollout/on-push.js';
import { rolloutOnTag } from '../rollout/on-tag.js';
import { annotate } from './annotations.js';
import type { ActionEvent, ActionSettings } from './inputs.js';

export async function runAction(s: ActionSettings): Promise<void> {
  maskDatabaseUrls(s);
  const { event } = s;
  switch (s.mode === 'auto' ? autoMode(event) : s.mode) {
    case 'check':
      return check(s, pullOf(event));
    case 'plan':
      return plan(s, event.kind === 'pull-request' ? event.pull : undefined);
    case 'deploy':
      return deploy(s, event);
    case 'nothing':
      core.info(
        `sqlgate: nothing to do for ${event.kind === 'other' ? `${event.name} ${event.ref}`.trim() : event.kind}`,
      );
      setOutputs({ deployed: '[]' });
      return;
  }
}

function autoMode(event: ActionEvent): 'check' | 'deploy' | 'nothing' {
  switch (event.kind) {
    case 'pull-request':
      return 'check';
    case 'push':
    case 'tag':
      return 'deploy';
    case 'other':
      if (event.name === 'push') return 'nothing';
      throw new InputError(
        `sqlgate does not handle the ${event.name} event in mode auto; run it on pull_request, pull_request_review and push, or set mode`,
      );
  }
}

function pullOf(event: ActionEvent): PullRequestRef {
  if (event.kind === 'pull-request') return event.pull;
  const name = event.kind === 'other' ? event.name : 'push';
  throw new InputError(
    `the ${name} payload has no pull_request with number, user.login, base.sha and head.sha`,
  );
}

function github(s: ActionSettings): GitHub {
  return createGitHub({
    token: s.token,
    baseUrl: s.apiUrl,
    log: (m) => core.warning(m),
    ...(s.env.SQLGATE_WRITE_INTERVAL_MS ? { writeIntervalMs: Number(s.env.SQLGATE_WRITE_INTERVAL_MS) } : {}),
  });
}

function setOutputs(values: {
  'risk-level'?: string;
  flow?: string;
  approved?: string;
  deployed?: string;
  'rolled-back'?: string;
}): void {
  for (const [k, v] of Object.entries(values)) if (v !== undefined) core.setOutput(k, v);
}

async function check(s: ActionSettings, pull: PullRequestRef): Promise<void> {
  const outcome = await runCheck({
    repo: new GitRepo(s.workspace),
    github: github(s),
    ref: { owner: s.owner, repo: s.repo },
    pull,
    parser: sharedParser(),
    policiesDir: s.policiesDir,
    migrationsDir: s.migrationsDir,
    databases: s.targets,
    ...(s.runUrl ? { detailsUrl: s.runUrl } : {}),
    log: (m) => core.info(m),
    whatIfBudgetMs: s.whatIf.budgetMs,
    ...(s.whatIf.limit !== undefined ? { whatIfLimit: s.whatIf.limit } : {}),
    ...(s.rehearsal
      ? { rehearsal: { target: s.rehearsal, appliedBy: `sqlgate check of PR #${pull.number}` } }
      : {}),
  });
  if (!outcome.ok) {
    annotate(diagnosticAnnotations(outcome.error.errors));
    await core.summary.addRaw(outcome.comment).write();
    setOutputs({ approved: 'false' });
    throw outcome.error;
  }
  annotate(riskAnnotations(outcome.plan));
  await core.summary
    .addRaw(
      commentMarkdown({
        plan: outcome.plan,
        approvals: outcome.approvals,
        rehearsal: outcome.rehearsal,
        ...(outcome.policyReview ? { policyReview: outcome.policyReview } : {}),
      }),
      true,
    )
    .write();
  setOutputs({
    'risk-level': outcome.plan.risk.level,
    flow: outcome.plan.flows.map((f) => f.flow.id).join(','),
    approved: String(outcome.approved),
  });
  core.info(`sqlgate: ${outcome.status.state}: ${outcome.status.description}`);
}

async function plan(s: ActionSettings, pull: PullRequestRef | undefined): Promise<void> {
  const repo = new GitRepo(s.workspace);
  const result = await planChange({
    repo,
    base: pull?.baseSha ?? (await repo.branchTip(s.defaultBranch)) ?? `refs/heads/${s.defaultBranch}`,
    head: pull?.headSha ?? 'HEAD',
    policiesDir: s.policiesDir,
    migrationsDir: s.migrationsDir,
    parser: sharedParser(),
  });
  annotate(riskAnnotations(result));
  await core.summary.addRaw(commentMarkdown({ plan: result })).write();
  setOutputs({
    'risk-level': result.risk.level,
    flow: result.flows.map((f) => f.flow.id).join(','),
    approved: String(result.flows.length === 0),
  });
}

async function deploy(s: ActionSettings, event: ActionEvent): Promise<void> {
  // Cancelling the workflow run sends SIGINT, then SIGTERM: stop and record, never just exit.
  const cancel = cancelOnSignals({ say: (line) => core.warning(line), exitOnSecond: false });
  try {
    await deployWith(s, event, cancel.signal);
  } finally {
    cancel.dispose();
  }
}

async function deployWith(s: ActionSettings, event: ActionEvent, signal: AbortSignal): Promise<void> {
  const ctx: RolloutContext = {
    signal,
    workspace: s.workspace,
    repo: new GitRepo(s.workspace),
    policiesDir: s.policiesDir,
    migrationsDir: s.migrationsDir,
    targets: s.targets,
    concurrency: s.concurrency,
    dryRun: s.dryRun,
    lockTimeoutSeconds: s.lockTimeoutSeconds,
    ...(s.shard ? { shard: s.shard } : {}),
    gitSha: s.sha || null,
    github: github(s),
    ref: { owner: s.owner, repo: s.repo },
    parser: sharedParser(),
    log: (line) => core.info(line),
    warn: (line) => core.warning(line),
  };
  const environment = s.environment ? { environment: s.environment } : {};
  let report: RolloutReport;
  let tag: string | undefined;
  if (event.kind === 'tag') {
    tag = event.tag;
    report = await rolloutOnTag(ctx, { ...event, defaultBranch: s.defaultBranch });
  } else if (event.kind === 'other' && event.ref.startsWith('refs/tags/')) {
    tag = event.ref.slice('refs/tags/'.length);
    report = await rolloutOnTag(ctx, { ...event, tag, defaultBranch: s.defaultBranch });
  } else if (event.kind === 'push') {
    report = await deployOnPush(ctx, { ...event, defaultBranch: s.defaultBranch, ...environment });
  } else {
    const before = event.kind === 'other' && event.before ? { before: event.before } : {};
    const sender = event.kind === 'other' ? event.sender : '';
    const after = event.kind === 'other' ? event.commit : s.sha;
    report = await deployOnPush(ctx, {
      ...before,
      after,
      sender,
      defaultBranch: s.defaultBranch,
      ...environment,
    });
  }
  await renderDeploy(report, tag);
}

async function renderDeploy(report: RolloutReport, tag: string | undefined): Promise<void> {
  const text = rolloutText(report, tag);
  for (const line of text.log) core.info(line);
  await core.summary.addHeading(text.heading, 2).addCodeBlock(text.summary.join('\n')).write();
  if (text.refusal !== undefined) {
    setOutputs({ deployed: '[]', ...(report.rollbacks ? { 'rolled-back': '[]' } : {}) });
    throw new RefusedError(text.refusal);
  }
  if (report.rollbacks) {
    setOutputs({
      deployed: '[]',
      'rolled-back': JSON.stringify(
        report.rollbacks
          .filter((r) => r.rolledBack.length > 0)
          .map((r) => ({ environment: r.environment, database: r.database, steps: r.rolledBack })),
      ),
    });
    const failed = rollbackProblems(report.rollbacks);
    if (failed) throw new RefusedError(failed);
    return;
  }
  const { reports } = report;
  setOutputs({ deployed: deployedOutput(reports) });
  const code = exitCodeOfReports(reports);
  if (code === 2) throw new InputError(deployProblems(reports, 'error'));
  if (code === 1) throw new RefusedError(deployProblems(reports, 'unfinished'));
}

/** Database URLs and their passwords never appear in the log. */
function maskDatabaseUrls(s: ActionSettings): void {
  for (const [name, value] of Object.entries(s.env)) {
    if (!value || !/_URL$/.test(name) || !/^(mysql|mariadb):\/\//.test(value)) continue;
    core.setSecret(value);
    for (const secret of urlSecrets(value)) core.setSecret(secret);
    core.debug(`masked ${name} (${maskUrl(value)})`);
  }
}
