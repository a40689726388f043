import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Diagnostic, InputError } from '../errors.js';
import { listMigrationPaths } from '../files/migration-paths.js';
import { summarisePolicy } from '../policy/load.js';
import { POLICY_FILES } from '../policy/types.js';
import { urlEngineErrors } from '../policy/url-engines.js';
import { parseYaml } from '../policy/yaml-source.js';
import { unexercised } from '../policytest/coverage.js';
import { migrationPathProblems } from '../sql/migration-name.js';
import type { CliIo } from './io.js';
import { loadPolicyDir } from './policies.js';
import { defaultTestFiles, runTestFiles } from './test.js';

export async function runValidate(
  io: CliIo,
  options: { policies: string; migrations?: string; strict?: boolean },
): Promise<number> {
  const warnings: Diagnostic[] = [];
  const policy = loadPolicyDir(io, options.policies, warnings);
  const shownAs = options.policies.replace(/\/+$/, '');
  const migrationsDir = (options.migrations ?? 'migrations').replace(/\/+$/, '');
  // The names a PR would be refused for, found before the PR: validate is what a team runs first.
  const nameProblems = migrationPathProblems(listMigrationPaths(io.cwd, migrationsDir), migrationsDir);
  if (nameProblems.length > 0) throw new InputError(nameProblems);
  const envFile = join(resolve(io.cwd, options.policies), POLICY_FILES.environments);
  if (existsSync(envFile)) {
    const parsed = parseYaml(`${shownAs}/${POLICY_FILES.environments}`, readFileSync(envFile, 'utf8'));
    const engines = urlEngineErrors(policy, parsed.source, io.env);
    if (engines.length > 0) throw new InputError(engines);
  }
  const files = defaultTestFiles(io, options.policies);
  const run = await runTestFiles(io, policy, files, migrationsDir);
  const gaps = unexercised(policy, run);
  if (gaps.length > 0 && options.strict) {
    throw new InputError(
      gaps.map((g) => new Diagnostic(g.file, g.line, g.column, `${g.message} (--strict)`)),
    );
  }
  for (const w of warnings) io.err(`${w.file}:${w.line}:${w.column}: warning: ${w.message}`);
  io.out(`ok: ${summarisePolicy(policy)}`);
  if (gaps.length === 0) return 0;
  if (files.length === 0) {
    // Without any test, one line says so; the list of every rule and flow would only be noise.
    const rules = gaps.filter((g) => g.message.startsWith('rule ')).length;
    io.err(
      `${shownAs}/tests: warning: no policy tests, so ${rules} rule${rules === 1 ? '' : 's'} and ${gaps.length - rules} flow${gaps.length - rules === 1 ? '' : 's'} are not exercised; write cases in ${shownAs}/tests/*.yaml (see sqlgate test)`,
    );
    return 0;
  }
  for (const g of gaps) io.err(g.format().replace(/^([^ ]+: )/, '$1warning: '));
  io.err(
    `${gaps.length} warning${gaps.length === 1 ? '' : 's'}: the policy tests in ${shownAs}/tests/ do not exercise every rule and flow; see sqlgate test`,
  );
  return 0;
}
