// Every input and runner variable the Action reads, read once into one typed object. Nothing
// else in the code base calls core.getInput or reads the runner's environment.
import { existsSync, readFileSync } from 'node:fs';
import * as core from '@actions/core';
import type { PullRequestRef } from '../check/check.js';
import { type DatabaseTargets, targetsFromEnv } from '../db/targets.js';
import { type ConnectionTarget, parseDatabaseUrl } from '../db/url.js';
import { InputError } from '../errors.js';

export type Mode = 'auto' | 'check' | 'deploy' | 'plan';

export interface ActionSettings {
  readonly token: string;
  readonly policiesDir: string;
  readonly migrationsDir: string;
  readonly mode: Mode;
  readonly environment?: string;
  readonly dryRun: boolean;
  readonly concurrency: number;
  /** Seconds a deploy waits for another deploy's per-database lock. */
  readonly lockTimeoutSeconds: number;
  readonly shard?: string;
  /** Where the check rehearses the PR's migrations (`rehearsal-url`, or `rehearsal: service`). */
  readonly rehearsal?: ConnectionTarget;
  /** The what-if replay of a policy-change PR: newest changes to replay (all when absent), time budget. */
  readonly whatIf: { readonly limit?: number; readonly budgetMs: number };
  readonly event: ActionEvent;
  /** The repository's default branch, the one automatic deploys and rollouts trust. */
  readonly defaultBranch: string;
  readonly owner: string;
  readonly repo: string;
  readonly sha: string;
  readonly apiUrl: string;
  readonly runUrl?: string;
  readonly workspace: string;
  /** Each database's connection target, from the variable environments.yaml names for it. */
  readonly targets: DatabaseTargets;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/**
 * The event, read once from the webhook payload into what each handler needs. `push` is a push
 * to the default branch, `tag` a pushed tag; every other push (another branch, a deletion) and
 * every other event is `other`.
 */
export type ActionEvent =
  | { readonly kind: 'pull-request'; readonly pull: PullRequestRef }
  | {
      readonly kind: 'push';
      /** The branch's previous tip, when there was one. */
      readonly before?: string;
      readonly after: string;
      /** The authenticated pusher. */
      readonly sender: string;
    }
  | {
      readonly kind: 'tag';
      readonly tag: string;
      readonly commit: string;
      /** The authenticated pusher, not the tag's self-declared tagger. */
      readonly sender: string;
    }
  | {
      readonly kind: 'other';
      readonly name: string;
      /** The payload's `ref`, or empty. */
      readonly ref: string;
      readonly before?: string;
      readonly commit: string;
      readonly sender: string;
    };

const PR_EVENTS = new Set(['pull_request', 'pull_request_review', 'pull_request_target']);
const SHA = /^[0-9a-f]{40}$/;

// biome-ignore lint/suspicious/noExplicitAny: the webhook payload, read here and nowhere else.
export function parseEvent(name: string, payload: any, sha: string, defaultBranch: string): ActionEvent {
  if (PR_EVENTS.has(name)) {
    const pr = payload.pull_request;
    if (!pr || typeof pr.number !== 'number' || !pr.base?.sha || !pr.head?.sha || !pr.user?.login) {
      throw new InputError(
        `the ${name} payload has no pull_request with number, user.login, base.sha and head.sha`,
      );
    }
    return {
      kind: 'pull-request',
      pull: {
        number: pr.number,
        author: String(pr.user.login),
        baseSha: String(pr.base.sha),
        headSha: String(pr.head.sha),
        changedFiles: Number(pr.changed_files ?? 0),
        ...(pr.base.ref ? { baseRef: String(pr.base.ref) } : {}),
        // A deleted fork leaves head.repo null.
        fromFork: pr.head.repo?.full_name !== (pr.base.repo?.full_name ?? pr.head.repo?.full_name),
      },
    };
  }
  const ref = String(payload.ref ?? '');
  const sender = String(payload.sender?.login ?? '');
  const commit = String(payload.after ?? sha);
  const before = String(payload.before ?? '');
  const previous = SHA.test(before) && !/^0+$/.test(before) ? { before } : {};
  if (name === 'push' && !payload.deleted) {
    if (ref.startsWith('refs/tags/'))
      return { kind: 'tag', tag: ref.slice('refs/tags/'.length), commit, sender };
    if (ref === `refs/heads/${defaultBranch}`) return { kind: 'push', ...previous, after: commit, sender };
  }
  return { kind: 'other', name, ref, ...previous, commit, sender };
}

const MODES: readonly Mode[] = ['auto', 'check', 'deploy', 'plan'];

function booleanInput(name: string): boolean {
  const value = core.getInput(name).toLowerCase();
  if (value === '' || value === 'false') return false;
  if (value === 'true') return true;
  throw new InputError(`input ${name} must be true or false, not "${core.getInput(name)}"`);
}

export function readSettings(
  env: Readonly<Record<string, string | undefined>> = process.env,
): ActionSettings {
  const mode = (core.getInput('mode') || 'auto') as Mode;
  if (!MODES.includes(mode))
    throw new InputError(`input mode must be one of ${MODES.join(', ')}, not "${mode}"`);
  const token = core.getInput('github-token');
  if (!token) {
    throw new InputError(
      'input github-token is empty: leave it at its default (the workflow token, `secrets.GITHUB_TOKEN`) or pass a token with pull-requests: write and statuses: write',
    );
  }
  core.setSecret(token);
  const eventName = env.GITHUB_EVENT_NAME ?? '';
  const eventPath = env.GITHUB_EVENT_PATH ?? '';
  if (!eventName || !eventPath)
    throw new InputError(
      'GITHUB_EVENT_NAME and GITHUB_EVENT_PATH are not set: sqlgate runs as a GitHub Action step',
    );
  if (!existsSync(eventPath)) throw new InputError(`the event payload file ${eventPath} does not exist`);
  let payload: unknown;
  try {
    payload = JSON.parse(readFileSync(eventPath, 'utf8'));
  } catch (error) {
    throw new InputError(`the event payload ${eventPath} is not valid JSON: ${(error as Error).message}`);
  }
  if (!payload || typeof payload !== 'object')
    throw new InputError(`the event payload ${eventPath} is not a JSON object`);
  // biome-ignore lint/suspicious/noExplicitAny: the webhook payload, read here and nowhere else.
  const defaultBranch = String((payload as any).repository?.default_branch ?? 'main');
  const [owner = '', repo = ''] = (env.GITHUB_REPOSITORY ?? '').split('/');
  if (!owner || !repo) throw new InputError('GITHUB_REPOSITORY is not set to owner/repo');
  const concurrency = Number(core.getInput('concurrency') || '4');
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new InputError(
      `input concurrency must be a whole number ≥ 1, not "${core.getInput('concurrency')}"`,
    );
  const lockTimeout = core.getInput('lock-timeout') || '60';
  const lockTimeoutSeconds = Number(lockTimeout);
  if (!/^\d+$/.test(lockTimeout) || !Number.isSafeInteger(lockTimeoutSeconds))
    throw new InputError(`input lock-timeout must be a whole number of seconds ≥ 0, not "${lockTimeout}"`);
  const rehearsal = rehearsalTarget();
  const whatIf = whatIfSettings();
  const environment = core.getInput('environment');
  const shard = core.getInput('shard');
  const server = env.GITHUB_SERVER_URL ?? 'https://github.com';
  return {
    token,
    policiesDir: (core.getInput('policies-dir') || 'policies').replace(/\/+$/, ''),
    migrationsDir: (core.getInput('migrations-dir') || 'migrations').replace(/\/+$/, ''),
    mode,
    ...(environment ? { environment } : {}),
    dryRun: booleanInput('dry-run'),
    concurrency,
    lockTimeoutSeconds,
    ...(shard ? { shard } : {}),
    ...(rehearsal ? { rehearsal } : {}),
    whatIf,
    event: parseEvent(eventName, payload, env.GITHUB_SHA ?? '', defaultBranch),
    defaultBranch,
    owner,
    repo,
    sha: env.GITHUB_SHA ?? '',
    apiUrl: env.GITHUB_API_URL ?? 'https://api.github.com',
    ...(env.GITHUB_RUN_ID ? { runUrl: `${server}/${owner}/${repo}/actions/runs/${env.GITHUB_RUN_ID}` } : {}),
    workspace: env.GITHUB_WORKSPACE ?? process.cwd(),
    targets: targetsFromEnv(env),
    env,
  };
}

function whatIfSettings(): ActionSettings['whatIf'] {
  const limitText = core.getInput('whatif-limit');
  const limit = Number(limitText);
  if (limitText !== '' && (!Number.isInteger(limit) || limit < 1))
    throw new InputError(
      `input whatif-limit must be a whole number ≥ 1 (or empty for all), not "${limitText}"`,
    );
  const budgetText = core.getInput('whatif-budget') || '60';
  const seconds = Number(budgetText);
  if (!Number.isFinite(seconds) || seconds <= 0)
    throw new InputError(`input whatif-budget must be a number of seconds > 0, not "${budgetText}"`);
  return { ...(limitText !== '' ? { limit } : {}), budgetMs: Math.round(seconds * 1000) };
}

/** The workflow's `services:` container, as the example workflow starts it. */
export const REHEARSAL_SERVICE_URL = 'mysql://root@127.0.0.1:3306/';

function rehearsalTarget(): ConnectionTarget | undefined {
  const url = core.getInput('rehearsal-url');
  const mode = core.getInput('rehearsal') || 'off';
  if (mode !== 'off' && mode !== 'service')
    throw new InputError(`input rehearsal must be off or service, not "${mode}"`);
  if (url) {
    core.setSecret(url);
    return parseDatabaseUrl('input rehearsal-url', url);
  }
  return mode === 'service' ? parseDatabaseUrl('rehearsal: service', REHEARSAL_SERVICE_URL) : undefined;
}
