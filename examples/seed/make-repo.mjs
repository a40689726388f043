// Builds the seed scenario's repository in a temporary folder: a `main` commit with the
// example policies and the initial migration, and a `feature` branch with the example PR.
// Prints the folder's path. Used by `npm run example` and the demo.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = join(here, '..', '..');

export function makeSeedRepo() {
  const dir = mkdtempSync(join(tmpdir(), 'sqlgate-seed-'));
  const git = (...args) => execFileSync('git', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  git('init', '-q', '-b', 'main');
  git('config', 'user.email', 'olivia@example.com');
  git('config', 'user.name', 'Olivia');
  git('config', 'commit.gpgsign', 'false');
  cpSync(join(here, 'policies'), join(dir, 'policies'), { recursive: true });
  // Its policy tests too, so the demo can show a policy edit failing them.
  cpSync(join(here, 'tests'), join(dir, 'policies', 'tests'), { recursive: true });
  cpSync(join(here, 'base'), dir, { recursive: true });
  git('add', '-A');
  git('commit', '-q', '-m', 'Seed: policies and the initial schema');
  git('checkout', '-q', '-b', 'feature');
  cpSync(join(here, 'pr'), dir, { recursive: true });
  git('add', '-A');
  git('commit', '-q', '-m', 'Add an email column to t1');
  return dir;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(makeSeedRepo());
