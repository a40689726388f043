import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { expect, it } from 'vitest';
import { bundle } from '../scripts/bundle.js';
import { REPO_ROOT } from './policy/seed-texts.js';

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

it('the committed dist/ is exactly what src/ builds to (run `npm run bundle`)', async () => {
  const out = mkdtempSync(join(tmpdir(), 'sqlgate-dist-'));
  try {
    await bundle(out, REPO_ROOT);
    const committed = join(REPO_ROOT, 'dist');
    expect(files(committed)).toEqual(files(out));
    const stale = files(out).filter(
      (f) => !readFileSync(join(out, f)).equals(readFileSync(join(committed, f))),
    );
    expect(stale, 'dist/ is stale: run `npm run bundle` and commit dist/').toEqual([]);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}, 60_000);
