// What the Action does for each event. Reads settings, calls the core, reports through the
// runner (outputs, annotations, job summary); a thrown error becomes the step's failure.
import * as core from '@actions/core';
import { runCheck } from '../check/check.js';
import { readPolicyDir } from '../cli/policy-dir.js';
import { maskUrl } from '../db/url.js';
import { type DatabaseReport, exitCodeOfReports } from '../deploy/apply.js';
import { deployEnvironment } from '../deploy/fleet.js';
import { InputError, RefusedError } from '../errors.js';
import { GitRepo } from '../git/repo.js';
import { createGitHub, type GitHub } from '../github/client.js';
import { resolveTeams } from '../github/reads.js';
import { sharedParser } from '../parser/pool.js';
import { type PlanResult, planChange } from '../plan/plan.js';
import { loadPolicies } from '../policy/load.js';
import type { Policy } from '../policy/types.js';
import { formatReports } from '../report/deploy.js';
import { commentMarkdown } from '../report/markdown.js';
import { checkTagRollout } from '../rollout/gate.js';
import { approvalVerifier } from '../rollout/merged-pr.js';
import type { ActionSettings } from './inputs.js';

const PR_EVENTS = new Set(['pull_request', 'pull_request_review', 'pull_request_target']);

export async function runAction(s: ActionSettings): Promise<void> {
  maskDatabaseUrls(s);
  const kind = s.mode === 'auto' ? autoMode(s) : s.mode;
  switch (kind) {
    case 'check':
      return check(s);
    case 'plan':
      return plan(s);
    case 'deploy':
      return deploy(s);
    case 'nothing':
      core.info(`sqlgate: nothing to do for ${s.eventName} ${s.payload.ref ?? ''}`.trim());
      setOutputs({ deployed: '[]' });
      return;
  }
}

function autoMode(s: ActionSettings): 'check' | 'deploy' | 'nothing' {
  if (PR_EVENTS.has(s.eventName)) return 'check';
  if (s.eventName === 'push') {
    if (s.payload.deleted) return 'nothing';
    const ref = String(s.payload.ref ?? '');
    if (ref.startsWith('refs/tags/')) return 'deploy';
    if (ref === `refs/heads/${defaultBranch(s)}`) return 'deploy';
    return 'nothing';
  }
  throw new InputError(
    `sqlgate does not handle the ${s.eventName} event in mode auto; run it on pull_request, pull_request_review and push, or set mode`,
  );
}

function defaultBranch(s: ActionSettings): string {
  return String(s.payload.repository?.default_branch ?? 'main');
}

function pullOf(s: ActionSettings) {
  const pr = s.payload.pull_request;
  if (!pr || typeof pr.number !== 'number' || !pr.base?.sha || !pr.head?.sha || !pr.user?.login) {
    throw new InputError(
      `the ${s.eventName} payload has no pull_request with number, user.login, base.sha and head.sha`,
    );
  }
  return {
    number: pr.number as number,
    author: pr.user.login as string,
    baseSha: pr.base.sha as string,
    headSha: pr.head.sha as string,
    changedFiles: Number(pr.changed_files ?? 0),
  };
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
}): void {
  for (const [k, v] of Object.entries(values)) if (v !== undefined) core.setOutput(k, v);
}

function annotate(result: PlanResult): void {
  const seen = new Map<
    string,
    { level: string; message: string; file: string; line: number; endLine: number }
  >();
  for (const task of result.risk.tasks) {
    for (const st of task.statements) {
      if (st.level !== 'moderate' && st.level !== 'high') continue;
      const key = `${task.file}:${st.start.line}`;
      const rules = st.matches.filter((m) => m.level === st.level).map((m) => m.title);
      if (st.unparsed) rules.unshift(`cannot be parsed (${st.unparsed.message})`);
      const message = `${st.facts.type} is ${st.level} risk in ${task.environment}: ${rules.join('; ')}`;
      const earlier = seen.get(key);
      if (!earlier || (earlier.level === 'moderate' && st.level === 'high')) {
        seen.set(key, {
          level: st.level,
          message,
          file: task.file,
          line: st.start.line,
          endLine: st.end.line,
        });
      }
    }
  }
  for (const a of seen.values()) {
    const props = { file: a.file, startLine: a.line, endLine: a.endLine, title: `sqlgate: ${a.level} risk` };
    if (a.level === 'high') core.error(a.message, props);
    else core.warning(a.message, props);
  }
}

async function check(s: ActionSettings): Promise<void> {
  const pull = pullOf(s);
  const outcome = await runCheck({
    repo: new GitRepo(s.workspace),
    github: github(s),
    ref: { owner: s.owner, repo: s.repo },
    pull,
    parser: sharedParser(),
    policiesDir: s.policiesDir,
    migrationsDir: s.migrationsDir,
    ...(s.runUrl ? { detailsUrl: s.runUrl } : {}),
    log: (m) => core.info(m),
  });
  if (!outcome.ok) {
    for (const e of outcome.error.errors)
      core.error(
        e.message,
        e.line > 0 ? { file: e.file, startLine: e.line, startColumn: e.column } : { file: e.file },
      );
    await core.summary.addRaw(outcome.comment).write();
    setOutputs({ approved: 'false' });
    throw outcome.error;
  }
  annotate(outcome.plan);
  await core.summary
    .addRaw(commentMarkdown({ plan: outcome.plan, approvals: outcome.approvals }), true)
    .write();
  setOutputs({
    'risk-level': outcome.plan.risk.level,
    flow: outcome.plan.flows.map((f) => f.flow.id).join(','),
    approved: String(outcome.approved),
  });
  core.info(`sqlgate: ${outcome.status.state}: ${outcome.status.description}`);
}

async function plan(s: ActionSettings): Promise<void> {
  const pull = s.payload.pull_request ? pullOf(s) : undefined;
  const result = await planChange({
    repo: new GitRepo(s.workspace),
    base: pull?.baseSha ?? defaultBranch(s),
    head: pull?.headSha ?? 'HEAD',
    policiesDir: s.policiesDir,
    migrationsDir: s.migrationsDir,
    parser: sharedParser(),
  });
  annotate(result);
  await core.summary.addRaw(commentMarkdown({ plan: result })).write();
  setOutputs({
    'risk-level': result.risk.level,
    flow: result.flows.map((f) => f.flow.id).join(','),
    approved: String(result.flows.length === 0),
  });
}

function policyAt(s: ActionSettings): Policy {
  const loaded = loadPolicies(readPolicyDir(`${s.workspace}/${s.policiesDir}`, s.policiesDir), s.policiesDir);
  if (!loaded.ok) throw new InputError(loaded.errors);
  return loaded.policy;
}

async function deploy(s: ActionSettings): Promise<void> {
  const policy = policyAt(s);
  const ref = String(s.payload.ref ?? '');
  const sender = String(s.payload.sender?.login ?? '');
  const common = {
    policy,
    root: s.workspace,
    migrationsDir: s.migrationsDir,
    env: s.env,
    concurrency: s.concurrency,
    dryRun: s.dryRun,
    lockTimeoutSeconds: 60,
    appliedBy: sender || 'github-actions',
    gitSha: s.sha || null,
    log: (line: string) => core.info(line),
    ...(s.shard ? { shard: s.shard } : {}),
  };
  const reports: DatabaseReport[] = [];
  if (ref.startsWith('refs/tags/')) {
    const tag = ref.slice('refs/tags/'.length);
    const repo = new GitRepo(s.workspace);
    const tagCommit = await repo.resolve(String(s.payload.after ?? s.sha));
    const branch = defaultBranch(s);
    const onDefault =
      (await repo.isAncestor(tagCommit, `refs/remotes/origin/${branch}`)) ||
      (await repo.isAncestor(tagCommit, branch));
    const gh = github(s);
    const roleTeams = policy.roles.flatMap((r) => r.members.filter((m) => m.includes('/')));
    const result = await checkTagRollout({
      policy,
      tag,
      tagCommit,
      onDefaultBranch: onDefault,
      defaultBranch: branch,
      sender,
      teams: await resolveTeams(gh, roleTeams),
      root: s.workspace,
      migrationsDir: s.migrationsDir,
      env: s.env,
      verify: approvalVerifier({
        repo,
        github: gh,
        ref: { owner: s.owner, repo: s.repo },
        parser: sharedParser(),
        policiesDir: s.policiesDir,
        migrationsDir: s.migrationsDir,
        defaultBranch: branch,
      }),
    });
    for (const line of result.checks) core.info(`✓ ${line}`);
    if (!result.ok) {
      setOutputs({ deployed: '[]' });
      throw new RefusedError(
        `rollout of ${tag} refused (${result.condition}): ${result.reason}. Nothing was deployed.`,
      );
    }
    const { verdicts } = result;
    reports.push(
      ...(await deployEnvironment({
        ...common,
        environment: result.environment.id,
        prOf: (path) => verdicts.get(path)?.pr ?? null,
        riskOf: (path, env) =>
          verdicts.get(path)?.levels?.find((l) => l.file === path && l.environment === env)?.level ?? null,
      })),
    );
  } else {
    const recorded = await provenance(s);
    const targets = s.environment
      ? [s.environment]
      : policy.environments.filter((e) => e.rollout === 'automatic').map((e) => e.id);
    for (const id of targets) {
      const env = policy.environments.find((e) => e.id === id);
      if (env?.rollout === 'manual') {
        throw new RefusedError(
          `${env.title} rolls out only when an authorised person pushes a tag matching ${env.tag}`,
        );
      }
      const batch = await deployEnvironment({ ...common, ...recorded, environment: id });
      reports.push(...batch);
      if (exitCodeOfReports(batch) !== 0) break; // a later environment never gets what an earlier one could not take
    }
  }
  for (const line of formatReports(reports)) core.info(line);
  await core.summary.addHeading('sqlgate deploy', 2).addCodeBlock(formatReports(reports).join('\n')).write();
  setOutputs({
    deployed: JSON.stringify(
      reports
        .filter((r) => r.applied.length > 0 && r.status === 'applied')
        .map((r) => ({
          environment: r.environment,
          database: r.database,
          files: r.applied.map((a) => a.file),
        })),
    ),
  });
  const code = exitCodeOfReports(reports);
  if (code === 2)
    throw new InputError(
      reports
        .filter((r) => r.status === 'error')
        .map((r) => `${r.environment}/${r.database}: ${r.message}`)
        .join('\n'),
    );
  if (code === 1)
    throw new RefusedError(
      reports
        .filter((r) => r.status !== 'applied' && r.status !== 'up-to-date')
        .map((r) => `${r.environment}/${r.database}: ${r.status}: ${r.message}`)
        .join('\n'),
    );
}

/**
 * For a push to the default branch: the PR that produced the pushed commit and the risk each
 * file had, so the history records them. Best effort: without them the columns stay empty.
 */
async function provenance(s: ActionSettings): Promise<{
  prOf?: (path: string) => number | null;
  riskOf?: (path: string, env: string) => string | null;
}> {
  const before = String(s.payload.before ?? '');
  const after = String(s.payload.after ?? s.sha);
  if (!/^[0-9a-f]{40}$/.test(before) || /^0+$/.test(before)) return {};
  try {
    const plan = await planChange({
      repo: new GitRepo(s.workspace),
      base: before,
      head: after,
      policiesDir: s.policiesDir,
      migrationsDir: s.migrationsDir,
      parser: sharedParser(),
    });
    const { data: pulls } = await github(s).rest.repos.listPullRequestsAssociatedWithCommit({
      owner: s.owner,
      repo: s.repo,
      commit_sha: after,
    });
    const pr = pulls.find((p) => p.merged_at)?.number ?? null;
    return {
      prOf: () => pr,
      riskOf: (path, env) =>
        plan.risk.tasks.find((t) => t.file === path && t.environment === env)?.level ?? null,
    };
  } catch (error) {
    core.warning(
      `sqlgate: could not determine the PR and risk of this push (${(error as Error).message}); the history records them as empty`,
    );
    return {};
  }
}

/** Database URLs and their passwords never appear in the log. */
function maskDatabaseUrls(s: ActionSettings): void {
  for (const [name, value] of Object.entries(s.env)) {
    if (!value || !/_URL$/.test(name) || !/^(mysql|mariadb):\/\//.test(value)) continue;
    core.setSecret(value);
    const password = /^[a-z]+:\/\/[^:/@]*:([^@]*)@/i.exec(value)?.[1];
    if (password) {
      core.setSecret(password);
      core.setSecret(decodeURIComponent(password));
    }
    core.debug(`masked ${name} (${maskUrl(value)})`);
  }
}
