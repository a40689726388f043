// Issue 11 item 3: `npm run release -- X.Y.Z` builds, checks dist/, tags vX.Y.Z, moves v0, and
// pushes nothing unless asked. Runs scripts/release.mjs in a throwaway repository whose build is
// a tiny script, with a bare repository as origin.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../policy/seed-texts.js';

let root: string;
let dir: string;
let origin: string;
const git = (...args: string[]) =>
  execFileSync('git', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
const originGit = (...args: string[]) => execFileSync('git', args, { cwd: origin, encoding: 'utf8' }).trim();

function release(...args: string[]) {
  const run = spawnSync(process.execPath, ['scripts/release.mjs', ...args], { cwd: dir, encoding: 'utf8' });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}
const version = () => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version;
const tags = () => git('tag', '--list').split('\n').filter(Boolean);

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'sqlgate-release-'));
  dir = join(root, 'work');
  origin = join(root, 'origin.git');
  execFileSync('git', ['init', '-q', '--bare', origin]);
  mkdirSync(join(dir, 'scripts'), { recursive: true });
  git('init', '-q', '-b', 'main');
  git('config', 'user.email', 'rel@example.com');
  git('config', 'user.name', 'Rel');
  git('config', 'commit.gpgsign', 'false');
  git('config', 'tag.gpgsign', 'false');
  git('remote', 'add', 'origin', origin);
  copyFileSync(join(REPO_ROOT, 'scripts/release.mjs'), join(dir, 'scripts/release.mjs'));
  writeFileSync(
    join(dir, 'package.json'),
    `${JSON.stringify({ name: 'sqlgate', version: '0.1.0', scripts: { bundle: 'node build.mjs' } }, null, 2)}\n`,
  );
  // The "bundle" is the source upper-cased: stale whenever src.txt changed without a build.
  writeFileSync(
    join(dir, 'build.mjs'),
    "import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';\nmkdirSync('dist', { recursive: true });\nwriteFileSync('dist/index.js', readFileSync('src.txt', 'utf8').toUpperCase());\n",
  );
  writeFileSync(join(dir, 'src.txt'), 'one\n');
  execFileSync(process.execPath, ['build.mjs'], { cwd: dir });
  git('add', '-A');
  git('commit', '-q', '-m', 'init');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('npm run release', () => {
  it('sets the version, tags vX.Y.Z, creates v0 on the same commit, and pushes nothing', () => {
    const run = release('0.2.0');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(version()).toBe('0.2.0');
    expect(git('log', '-1', '--format=%s')).toBe('Release v0.2.0');
    expect(tags().sort()).toEqual(['v0', 'v0.2.0']);
    const head = git('rev-parse', 'HEAD');
    expect(git('rev-list', '-n', '1', 'v0.2.0')).toBe(head);
    expect(git('rev-list', '-n', '1', 'v0')).toBe(head);
    expect(run.stdout).toContain('release: nothing was pushed. To publish, run:');
    expect(run.stdout).toContain('git push --force origin refs/tags/v0');
    expect(originGit('tag', '--list')).toBe('');
  });

  it('moves v0 to the next release and says where it was', () => {
    expect(release('0.2.0').code).toBe(0);
    const first = git('rev-parse', 'HEAD');
    writeFileSync(join(dir, 'src.txt'), 'two\n');
    execFileSync(process.execPath, ['build.mjs'], { cwd: dir });
    git('commit', '-q', '-am', 'change');
    const run = release('0.3.0');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`v0 moved from ${first.slice(0, 12)}`);
    expect(git('rev-list', '-n', '1', 'v0')).toBe(git('rev-parse', 'HEAD'));
    expect(git('rev-list', '-n', '1', 'v0.2.0')).toBe(first);
  });

  it('with --push, pushes the branch, the tag and the moved v0 to origin, and says so', () => {
    const run = release('1.0.0', '--push');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('release: pushed main, v1.0.0 and v1 to origin');
    expect(originGit('tag', '--list').split('\n').sort()).toEqual(['v1', 'v1.0.0']);
    expect(originGit('rev-parse', 'main')).toBe(git('rev-parse', 'HEAD'));
  });

  it('refuses a dirty working tree, naming the files, and changes nothing', () => {
    writeFileSync(join(dir, 'notes.txt'), 'wip\n');
    const run = release('0.2.0');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      'release: the working tree has uncommitted changes; commit or stash them first',
    );
    expect(run.stderr).toContain('?? notes.txt');
    expect(tags()).toEqual([]);
    expect(version()).toBe('0.1.0');
  });

  it('refuses when the committed dist/ is stale, and tags nothing', () => {
    writeFileSync(join(dir, 'src.txt'), 'changed without a build\n');
    git('commit', '-q', '-am', 'source only');
    const run = release('0.2.0');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('the committed dist/ is not what the source builds to');
    expect(run.stderr).toContain('dist/index.js');
    expect(tags()).toEqual([]);
    expect(version()).toBe('0.1.0');
    expect(git('log', '-1', '--format=%s')).toBe('source only');
  });

  it('refuses a version that is not X.Y.Z, and one already tagged', () => {
    const bad = release('v1.2');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('give the version as X.Y.Z, e.g. npm run release -- 0.2.0 (got "v1.2")');
    expect(release('0.2.0').code).toBe(0);
    const again = release('0.2.0');
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('tag v0.2.0 already exists');
    expect(tags().sort()).toEqual(['v0', 'v0.2.0']);
  });
});
