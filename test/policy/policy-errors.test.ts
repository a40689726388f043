import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadPolicies } from '../../src/policy/load.js';
import { keyOfFileStem, REPO_ROOT, seedTexts } from './seed-texts.js';

// Each fixture replaces one seed policy file; its first line says the one error it must produce.
const DIR = `${REPO_ROOT}test/fixtures/policy-errors`;
const cases = readdirSync(DIR)
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => {
    const text = readFileSync(`${DIR}/${f}`, 'utf8');
    const expected = /^# expect: (.*)$/m.exec(text)?.[1];
    if (!expected) throw new Error(`${f} has no "# expect:" line`);
    return { name: f.replace(/\.yaml$/, ''), stem: f.split('--')[0] as string, text, expected };
  });

describe('broken policy fixtures', () => {
  it('has at least 20 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(20);
  });

  it.each(cases)('$name', ({ stem, text, expected }) => {
    const texts = { ...seedTexts(), [keyOfFileStem(stem)]: text };
    const result = loadPolicies(texts);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => e.format())).toEqual([expected]);
  });
});
