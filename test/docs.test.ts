import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { actionReference, withReference } from '../scripts/action-reference.js';
import { REPO_ROOT } from './policy/seed-texts.js';

it('the README Action reference is generated from action.yml (run `npm run docs`)', () => {
  const readme = readFileSync(`${REPO_ROOT}README.md`, 'utf8');
  const reference = actionReference(readFileSync(`${REPO_ROOT}action.yml`, 'utf8'));
  expect(withReference(readme, reference)).toBe(readme);
});

it('the README opens with the demo and the test command, the same one .ci/run runs', () => {
  const readme = readFileSync(`${REPO_ROOT}README.md`, 'utf8');
  const block = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
  expect(
    block
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split('#')[0]?.trim()),
  ).toEqual(['npm run demo', 'npm test']);
  expect(readFileSync(`${REPO_ROOT}.ci/run`, 'utf8').trim().split('\n').at(-1)).toBe('npm test');
});
