// Runs the bundled Action (dist/index.js) as the GitHub Actions runner does: a child process
// with the event payload in a file, INPUT_* variables, and files for outputs and the summary.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../policy/seed-texts.js';

export interface StepResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly outputs: Record<string, string>;
  readonly summary: string;
  /** `::error file=...::message` and friends, as the runner would turn into annotations. */
  readonly commands: string[];
}

function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<=]+)<<(.+)$/.exec(lines[i] as string);
    if (!m) continue;
    const value: string[] = [];
    for (i++; i < lines.length && lines[i] !== m[2]; i++) value.push(lines[i] as string);
    out[m[1] as string] = value.join('\n');
  }
  return out;
}

export async function runStep(options: {
  eventName: string;
  payload: unknown;
  inputs?: Record<string, string>;
  env?: Record<string, string>;
  workspace: string;
  apiUrl: string;
  sha: string;
  /** Called once the step's process runs (to signal it mid-step, as a cancel of the run does). */
  onStart?: (child: ChildProcess) => void;
}): Promise<StepResult> {
  const dir = mkdtempSync(join(tmpdir(), 'sqlgate-runner-'));
  try {
    const eventPath = join(dir, 'event.json');
    writeFileSync(
      eventPath,
      typeof options.payload === 'string' ? options.payload : JSON.stringify(options.payload, null, 2),
    );
    for (const f of ['output', 'summary']) writeFileSync(join(dir, f), '');
    const inputs = {
      'github-token': 'ghs_e2e_token_123',
      'policies-dir': 'policies',
      'migrations-dir': 'migrations',
      mode: 'auto',
      'dry-run': 'false',
      concurrency: '4',
      ...options.inputs,
    };
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? dir,
      GITHUB_ACTIONS: 'true',
      GITHUB_EVENT_NAME: options.eventName,
      GITHUB_EVENT_PATH: eventPath,
      GITHUB_REPOSITORY: 'acme/shop',
      GITHUB_SHA: options.sha,
      GITHUB_WORKSPACE: options.workspace,
      GITHUB_API_URL: options.apiUrl,
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_RUN_ID: '42',
      GITHUB_OUTPUT: join(dir, 'output'),
      GITHUB_STEP_SUMMARY: join(dir, 'summary'),
      SQLGATE_WRITE_INTERVAL_MS: '0',
      ...Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v])),
      ...options.env,
    };
    const child = spawn(process.execPath, [join(REPO_ROOT, 'dist/index.js')], {
      cwd: options.workspace,
      env,
    });
    options.onStart?.(child);
    let stdout = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stdout += d;
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    return {
      code,
      stdout,
      outputs: parseOutputs(readFileSync(join(dir, 'output'), 'utf8')),
      summary: readFileSync(join(dir, 'summary'), 'utf8'),
      commands: stdout.split('\n').filter((l) => l.startsWith('::')),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
