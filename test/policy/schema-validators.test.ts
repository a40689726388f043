import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { OUTPUT, schemaValidators } from '../../scripts/schema-validators.js';
import { REPO_ROOT } from './seed-texts.js';

it('the committed schema validators are exactly what schemas/ compile to (run `npm run schemas`)', () => {
  const { js, dts } = schemaValidators(REPO_ROOT);
  const stale = 'src/policy/schema-validators.* is stale: run `npm run schemas` and commit it';
  expect(readFileSync(`${REPO_ROOT}${OUTPUT}.js`, 'utf8') === js, stale).toBe(true);
  expect(readFileSync(`${REPO_ROOT}${OUTPUT}.d.ts`, 'utf8'), stale).toBe(dts);
});
