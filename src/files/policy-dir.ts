// Policies as they are in a directory on disk: the CLI's working tree, the Action's checkout.
// Reading from a commit is plan/plan.ts's `policiesAt`.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type Diagnostic, InputError } from '../errors.js';
import { loadPolicies, type PolicyTexts } from '../policy/load.js';
import { POLICY_FILES, type Policy, type PolicyFileKey } from '../policy/types.js';

/** Read the policy files of a directory; a file that does not exist is left undefined. */
export function readPolicyDir(dir: string, shownAs = dir): PolicyTexts {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new InputError(
      `policies directory not found: ${shownAs} (create it with ${Object.values(POLICY_FILES).join(', ')}, or pass --policies DIR)`,
    );
  }
  const texts: PolicyTexts = {};
  for (const [key, name] of Object.entries(POLICY_FILES) as [PolicyFileKey, string][]) {
    const path = join(dir, name);
    if (existsSync(path)) texts[key] = readFileSync(path, 'utf8');
  }
  return texts;
}

/**
 * Load the policies of a directory or throw an InputError listing every problem; what is accepted
 * but worth fixing goes to `warnings`.
 */
export function loadPolicyDir(dir: string, shownAs = dir, warnings: Diagnostic[] = []): Policy {
  const result = loadPolicies(readPolicyDir(dir, shownAs), shownAs);
  if (!result.ok) throw new InputError(result.errors);
  warnings.push(...result.warnings);
  return result.policy;
}
