// Every input and runner variable the Action reads, read once into one typed object. Nothing
// else in the code base calls core.getInput or reads the runner's environment.
import { existsSync, readFileSync } from 'node:fs';
import * as core from '@actions/core';
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
  readonly shard?: string;
  readonly eventName: string;
  // biome-ignore lint/suspicious/noExplicitAny: a webhook payload, validated where it is used.
  readonly payload: any;
  readonly owner: string;
  readonly repo: string;
  readonly sha: string;
  readonly apiUrl: string;
  readonly runUrl?: string;
  readonly workspace: string;
  readonly env: Readonly<Record<string, string | undefined>>;
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
  const [owner = '', repo = ''] = (env.GITHUB_REPOSITORY ?? '').split('/');
  if (!owner || !repo) throw new InputError('GITHUB_REPOSITORY is not set to owner/repo');
  const concurrency = Number(core.getInput('concurrency') || '4');
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new InputError(
      `input concurrency must be a whole number ≥ 1, not "${core.getInput('concurrency')}"`,
    );
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
    ...(shard ? { shard } : {}),
    eventName,
    payload,
    owner,
    repo,
    sha: env.GITHUB_SHA ?? '',
    apiUrl: env.GITHUB_API_URL ?? 'https://api.github.com',
    ...(env.GITHUB_RUN_ID ? { runUrl: `${server}/${owner}/${repo}/actions/runs/${env.GITHUB_RUN_ID}` } : {}),
    workspace: env.GITHUB_WORKSPACE ?? process.cwd(),
    env,
  };
}
