// policy/diff.ts on its own: a policy change in words, as the PR comment shows it. Each case is a
// folder in test/fixtures/policy-diff/ holding the policy files that differ from the seed's
// (examples/seed/policies/) and expected.txt, the lines describePolicyDiff must produce.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describePolicyDiff } from '../../src/policy/diff.js';
import { loadPolicies, type PolicyTexts } from '../../src/policy/load.js';
import { POLICY_FILES, type Policy, type PolicyFileKey } from '../../src/policy/types.js';
import { REPO_ROOT } from './seed-texts.js';

const SEED = join(REPO_ROOT, 'examples/seed/policies');
const CASES = join(REPO_ROOT, 'test/fixtures/policy-diff');

function policyOf(...dirs: string[]): Policy {
  const texts: PolicyTexts = {};
  for (const [key, name] of Object.entries(POLICY_FILES) as [PolicyFileKey, string][]) {
    const dir = dirs.findLast((d) => existsSync(join(d, name)));
    if (dir) texts[key] = readFileSync(join(dir, name), 'utf8');
  }
  const loaded = loadPolicies(texts);
  if (!loaded.ok) throw new Error(loaded.errors.map((e) => e.format()).join('\n'));
  return loaded.policy;
}

const seed = policyOf(SEED);

describe('describePolicyDiff', () => {
  it.each(readdirSync(CASES))('%s', (name) => {
    const expected = readFileSync(join(CASES, name, 'expected.txt'), 'utf8')
      .split('\n')
      .filter(Boolean);
    expect(describePolicyDiff(seed, policyOf(SEED, join(CASES, name)))).toEqual(expected);
  });

  it('reads a change back the other way round', () => {
    const lowered = policyOf(SEED, join(CASES, 'rule-level-lowered'));
    expect(describePolicyDiff(lowered, seed)).toEqual(["rule 'DDL on Prod is High' level low → high"]);
  });
});
