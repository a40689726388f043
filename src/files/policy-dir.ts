// Policies as they are in a directory on disk: the CLI's working tree, the Action's checkout.
// Reading from a commit is git/policy-source.ts; both load through policy/source.ts.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import type { PolicyTexts } from '../policy/load.js';
import type { PolicySource } from '../policy/source.js';
import { POLICY_FILES, type PolicyFileKey } from '../policy/types.js';

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

/** The policies of a directory, to load with loadPolicySource. */
export function directoryPolicySource(dir: string, shownAs = dir): PolicySource {
  return { dir: shownAs, texts: readPolicyDir(dir, shownAs) };
}
