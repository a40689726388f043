// The package as a user gets it: `npm pack` of this checkout, installed into an empty directory
// with no registry access, run through its installed bin like a user's shell would.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../policy/seed-texts.js';

const NPM_QUIET = ['--no-audit', '--no-fund', '--loglevel=error'];

/** Packs the project into a fresh temporary directory and returns the tarball's path. */
export function packProject(): string {
  const out = mkdtempSync(join(tmpdir(), 'sqlgate-pack-'));
  const json = execFileSync('npm', ['pack', '--json', '--pack-destination', out, ...NPM_QUIET], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  });
  const [{ filename }] = JSON.parse(json) as [{ filename: string }];
  return join(out, filename);
}

/** An empty project directory with the tarball installed offline (nothing else may be fetched). */
export function installInto(tarball: string, dir = mkdtempSync(join(tmpdir(), 'sqlgate-user-'))): string {
  writeFileSync(join(dir, 'package.json'), '{ "name": "user-repo", "private": true }\n');
  execFileSync('npm', ['install', '--offline', '--save-dev', ...NPM_QUIET, tarball], {
    cwd: dir,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return dir;
}

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the installed `sqlgate` as a user's shell would, from node_modules/.bin. */
export function sqlgate(dir: string, args: string[], cwd = dir): Run {
  const run = spawnSync(join(dir, 'node_modules/.bin/sqlgate'), args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { code: run.status ?? -1, stdout: run.stdout, stderr: run.stderr };
}

/** Bytes under a directory, like `du --apparent-size`. */
export function sizeOf(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.size;
  return readdirSync(path).reduce((sum, name) => sum + sizeOf(join(path, name)), 0);
}
