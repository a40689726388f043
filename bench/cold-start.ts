// Cold start of the bundled Action and CLI: a fresh `node` process each run, against `node`
// doing nothing, in the same script.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, ms, report } from './measure.js';

const root = fileURLToPath(new URL('..', import.meta.url));

export async function benchColdStart(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sqlgate-cold-'));
  const event = join(dir, 'event.json');
  writeFileSync(
    event,
    JSON.stringify({
      ref: 'refs/heads/feature',
      before: 'a'.repeat(40),
      after: 'b'.repeat(40),
      deleted: false,
      repository: { default_branch: 'main' },
    }),
  );
  const env = {
    PATH: process.env.PATH ?? '',
    GITHUB_EVENT_NAME: 'push',
    GITHUB_EVENT_PATH: event,
    GITHUB_REPOSITORY: 'acme/shop',
    GITHUB_OUTPUT: join(dir, 'out'),
    'INPUT_GITHUB-TOKEN': 'x',
  };
  writeFileSync(join(dir, 'out'), '');
  const runs = 15;
  const bare = await median(runs, () => execFileSync(process.execPath, ['-e', '']));
  const action = await median(runs, () =>
    execFileSync(process.execPath, [join(root, 'dist/index.js')], { env, cwd: dir }),
  );
  const cli = await median(runs, () =>
    execFileSync(process.execPath, [join(root, 'bin/sqlgate.js'), 'validate'], { cwd: root }),
  );
  rmSync(dir, { recursive: true, force: true });
  report('cold start (fresh process each run, median of 15)', [
    ['node -e "" (reference)', ms(bare)],
    [
      'node dist/index.js (a push that needs nothing)',
      `${ms(action)}  (${(action / bare).toFixed(2)}x, +${ms(action - bare)})`,
    ],
    [
      'sqlgate validate (bundled CLI, loads and checks policies/)',
      `${ms(cli)}  (${(cli / bare).toFixed(2)}x, +${ms(cli - bare)})`,
    ],
  ]);
}

if (import.meta.url === `file://${process.argv[1]}`) await benchColdStart();
