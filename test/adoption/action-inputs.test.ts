// Issue 11 (smaller): the Action's lock timeout is an input, read once with the other settings
// and handed to every deploy the Action runs.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readSettings } from '../../src/action/inputs.js';
import { deployInputOf, type RolloutContext } from '../../src/rollout/context.js';
import { REPO_ROOT } from '../policy/seed-texts.js';

let dir: string;
let env: Record<string, string>;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sqlgate-inputs-'));
  writeFileSync(
    join(dir, 'event.json'),
    JSON.stringify({ ref: 'refs/heads/main', repository: { default_branch: 'main' } }),
  );
  env = {
    GITHUB_EVENT_NAME: 'push',
    GITHUB_EVENT_PATH: join(dir, 'event.json'),
    GITHUB_REPOSITORY: 'acme/shop',
    'INPUT_GITHUB-TOKEN': 'ghs_inputs_test',
  };
});
afterEach(() => {
  for (const name of Object.keys(env)) if (name.startsWith('INPUT_')) delete process.env[name];
  rmSync(dir, { recursive: true, force: true });
});
// @actions/core reads inputs from process.env, as the runner sets them.
function settings(inputs: Record<string, string> = {}) {
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value;
  for (const [name, value] of Object.entries(env)) if (name.startsWith('INPUT_')) process.env[name] = value;
  return readSettings(env);
}

describe('the lock-timeout input', () => {
  it('is declared in action.yml with a default of 60 seconds', () => {
    const action = parse(readFileSync(join(REPO_ROOT, 'action.yml'), 'utf8'));
    expect(action.inputs['lock-timeout']).toMatchObject({ default: '60', required: false });
  });

  it('defaults to 60 seconds and takes a whole number', () => {
    expect(settings().lockTimeoutSeconds).toBe(60);
    expect(settings({ 'lock-timeout': '5' }).lockTimeoutSeconds).toBe(5);
    expect(settings({ 'lock-timeout': '0' }).lockTimeoutSeconds).toBe(0);
  });

  it('refuses anything but a whole number of seconds, naming the input', () => {
    for (const bad of ['-1', '1.5', 'soon'])
      expect(() => settings({ 'lock-timeout': bad })).toThrow(
        `input lock-timeout must be a whole number of seconds ≥ 0, not "${bad}"`,
      );
  });

  it('reaches every deploy the Action starts', () => {
    const ctx = {
      workspace: dir,
      migrationsDir: 'migrations',
      env: {},
      concurrency: 1,
      dryRun: false,
      lockTimeoutSeconds: 7,
      gitSha: null,
      log: () => {},
    };
    expect(deployInputOf(ctx as unknown as RolloutContext, {} as never, 'dana').lockTimeoutSeconds).toBe(7);
  });
});
