// `sqlgate test [--policies DIR] [FILES...]`: run the policy tests like a unit-test runner.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InputError } from '../errors.js';
import { sharedParser } from '../parser/pool.js';
import type { Policy } from '../policy/types.js';
import { loadPolicyTests, type TestFile } from '../policytest/cases.js';
import { type PolicyTestRun, runPolicyTests } from '../policytest/run.js';
import { policyTestsJson, policyTestsText } from '../report/policy-tests.js';
import { analysisCache } from '../whatif/analysis-cache.js';
import type { CliIo } from './io.js';
import { loadPolicyDir } from './policies.js';

export interface TestCliOptions {
  readonly policies: string;
  readonly migrations: string;
  readonly format: string;
  readonly files: readonly string[];
}

const FORMATS = ['text', 'json'];

/** The test files of a policies directory: `<dir>/tests/*.yaml`, sorted. */
export function defaultTestFiles(io: CliIo, policiesDir: string): string[] {
  const dir = join(policiesDir.replace(/\/+$/, ''), 'tests');
  const abs = resolve(io.cwd, dir);
  if (!existsSync(abs) || !statSync(abs).isDirectory()) return [];
  return readdirSync(abs)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => `${dir}/${f}`);
}

/** Load and run test files against a policy; test-file errors throw an InputError (exit 2). */
export async function runTestFiles(
  io: CliIo,
  policy: Policy,
  paths: readonly string[],
  migrationsDir: string,
): Promise<PolicyTestRun> {
  // No tests, no parser: validate stays as quick as it was for a repository without tests.
  if (paths.length === 0) return { results: [], passed: 0, failed: 0 };
  const files: TestFile[] = [];
  for (const path of paths) {
    const abs = resolve(io.cwd, path);
    if (!existsSync(abs)) throw new InputError(`test file not found: ${path}`);
    files.push({ path, text: readFileSync(abs, 'utf8') });
  }
  const loaded = await loadPolicyTests(files, async (path) => {
    const abs = resolve(io.cwd, path);
    return existsSync(abs) && statSync(abs).isFile() ? readFileSync(abs, 'utf8') : undefined;
  });
  if (!loaded.ok) throw new InputError(loaded.errors);
  return runPolicyTests(loaded.cases, {
    policy,
    analyse: analysisCache(sharedParser()).analyse,
    migrationsDir,
  });
}

export async function runTest(io: CliIo, options: TestCliOptions): Promise<number> {
  if (!FORMATS.includes(options.format))
    throw new InputError(`--format must be one of ${FORMATS.join(', ')}, not "${options.format}"`);
  const policy = loadPolicyDir(io, options.policies);
  const paths = options.files.length > 0 ? options.files : defaultTestFiles(io, options.policies);
  if (paths.length === 0) {
    throw new InputError(
      `no policy tests: ${options.policies.replace(/\/+$/, '')}/tests/ has no .yaml files (write cases there, or name test files)`,
    );
  }
  const run = await runTestFiles(io, policy, paths, options.migrations.replace(/\/+$/, ''));
  io.out(options.format === 'json' ? JSON.stringify(policyTestsJson(run), null, 2) : policyTestsText(run));
  return run.failed > 0 ? 1 : 0;
}
