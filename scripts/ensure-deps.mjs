// Runs before `npm run demo` and `npm test` (npm's pre-scripts), with nothing but Node: a fresh
// clone has no node_modules, and the README's first two commands must work with nothing run
// before them. Installs exactly the lock file's versions once; later runs return at once.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const needed = ['node_modules/.bin/tsx', 'node_modules/.bin/vitest'];
if (!needed.every((path) => existsSync(path))) {
  console.error('sqlgate: installing dependencies first (npm ci, about a minute on a fresh clone)');
  const run = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { stdio: 'inherit' });
  if (run.status !== 0) {
    console.error('sqlgate: npm ci failed; run it yourself to see why, then run this command again');
    process.exit(run.status ?? 1);
  }
}
