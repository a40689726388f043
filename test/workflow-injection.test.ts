// A value pasted into `run:` with ${{ }} becomes shell code: a migration named
// 1.2.0_x'$(id>&2)'.sql in the `deployed` output would run `id`. Values reach scripts through env:.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT } from './policy/seed-texts.js';

function workflows(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? workflows(join(dir, e.name)) : /\.ya?ml$/.test(e.name) ? [join(dir, e.name)] : [],
  );
}

describe('example workflows', () => {
  const files = workflows(join(REPO_ROOT, 'examples/workflows'));
  it.each(files.map((f) => [f.slice(REPO_ROOT.length), f]))(
    '%s passes values to run: through env:',
    (_, file) => {
      const doc = parse(readFileSync(file, 'utf8')) as {
        jobs?: Record<string, { steps?: { run?: string }[] }>;
      };
      const pasted = Object.values(doc.jobs ?? {})
        .flatMap((job) => job.steps ?? [])
        .map((step) => step.run)
        .filter((run): run is string => typeof run === 'string' && run.includes('${{'));
      expect(pasted).toEqual([]);
    },
  );
});
