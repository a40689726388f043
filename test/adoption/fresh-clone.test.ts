// The README's two opening commands run on a fresh clone with nothing run before them: npm's
// pre-scripts install the lock file's dependencies first. Running the real `npm ci` takes a
// minute and the network, so these tests drive scripts/ensure-deps.mjs with a fake `npm` on PATH.
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../policy/seed-texts.js';

const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'));

let dir: string;
let fakeBin: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sqlgate-fresh-'));
  fakeBin = join(dir, '.fake-bin');
  mkdirSync(join(dir, 'scripts'), { recursive: true });
  mkdirSync(fakeBin);
  copyFileSync(join(REPO_ROOT, 'scripts/ensure-deps.mjs'), join(dir, 'scripts/ensure-deps.mjs'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A fake npm that logs its arguments and, like `npm ci`, creates node_modules/.bin/{tsx,vitest}. */
function fakeNpm(exitCode = 0): void {
  const script = `#!/bin/sh
echo "$@" >> "${join(dir, 'npm-calls.log')}"
${exitCode === 0 ? 'mkdir -p node_modules/.bin && touch node_modules/.bin/tsx node_modules/.bin/vitest' : ''}
exit ${exitCode}
`;
  writeFileSync(join(fakeBin, 'npm'), script);
  chmodSync(join(fakeBin, 'npm'), 0o755);
}

function ensureDeps() {
  return spawnSync(process.execPath, ['scripts/ensure-deps.mjs'], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, PATH: `${fakeBin}:${process.env.PATH}` },
  });
}
const calls = () =>
  existsSync(join(dir, 'npm-calls.log'))
    ? readFileSync(join(dir, 'npm-calls.log'), 'utf8').trim().split('\n')
    : [];

describe('the README opening commands on a fresh clone', () => {
  it('README opens with npm run demo and npm test, and both run ensure-deps first (npm pre-scripts)', () => {
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    const opening = readme.slice(0, readme.indexOf('```', readme.indexOf('```sh') + 5));
    expect(opening).toMatch(/^npm run demo /m);
    expect(opening).toMatch(/^npm test /m);
    expect(pkg.scripts.predemo).toBe('node scripts/ensure-deps.mjs');
    expect(pkg.scripts.pretest).toBe('node scripts/ensure-deps.mjs');
  });

  it('runs npm ci once when node_modules/.bin lacks tsx or vitest, and not again after', () => {
    fakeNpm();
    const first = ensureDeps();
    expect(first.status).toBe(0);
    expect(first.stderr).toContain('sqlgate: installing dependencies first (npm ci');
    expect(calls()).toEqual(['ci --no-audit --no-fund']);
    const second = ensureDeps();
    expect(second.status).toBe(0);
    expect(second.stderr).toBe('');
    expect(calls()).toEqual(['ci --no-audit --no-fund']);
  });

  it('stops with npm ci exit code and says what to do when npm ci fails', () => {
    fakeNpm(3);
    const run = ensureDeps();
    expect(run.status).toBe(3);
    expect(run.stderr).toContain(
      'sqlgate: npm ci failed; run it yourself to see why, then run this command again',
    );
    expect(existsSync(join(dir, 'node_modules'))).toBe(false);
  });
});
