import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { PolicyTexts } from '../../src/policy/load.js';
import { POLICY_FILES, type PolicyFileKey } from '../../src/policy/types.js';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The seed scenario's policy files (examples/seed/policies/). */
export function seedTexts(): PolicyTexts {
  const texts: PolicyTexts = {};
  for (const [key, name] of Object.entries(POLICY_FILES) as [PolicyFileKey, string][]) {
    texts[key] = readFileSync(`${REPO_ROOT}examples/seed/policies/${name}`, 'utf8');
  }
  return texts;
}

export function keyOfFileStem(stem: string): PolicyFileKey {
  const entry = Object.entries(POLICY_FILES).find(([, name]) => name === `${stem}.yaml`);
  if (!entry) throw new Error(`no policy file named ${stem}.yaml`);
  return entry[0] as PolicyFileKey;
}
