// headCommit reads .git instead of running git; in every shape of checkout it must name the
// commit `git rev-parse HEAD` names, since that is what the history records as the deployed sha.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { headCommit } from '../../src/git/head.js';

const NO_GIT_ENV = {};
let root: string;
let repo: string;

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@example.com',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@example.com',
    },
  }).trim();

function commit(message: string): string {
  writeFileSync(join(repo, 'file.txt'), message);
  git(repo, 'add', '.');
  git(repo, 'commit', '-q', '-m', message);
  return git(repo, 'rev-parse', 'HEAD');
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'sqlgate-head-'));
  repo = join(root, 'repo');
  mkdirSync(join(repo, 'migrations/app'), { recursive: true });
  git(repo, 'init', '-q', '-b', 'main');
  commit('one');
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('headCommit names the commit git rev-parse HEAD names', () => {
  it('on a branch whose ref is a loose file', () => {
    const sha = commit('loose');
    expect(headCommit(repo, NO_GIT_ENV)).toBe(sha);
  });

  it('from a folder inside the checkout', () => {
    expect(headCommit(join(repo, 'migrations/app'), NO_GIT_ENV)).toBe(git(repo, 'rev-parse', 'HEAD'));
  });

  it('on a branch whose ref is only in packed-refs', () => {
    const sha = commit('packed');
    git(repo, 'pack-refs', '--all');
    expect(headCommit(repo, NO_GIT_ENV)).toBe(sha);
  });

  it('on a detached HEAD', () => {
    const first = git(repo, 'rev-list', '--max-parents=0', 'HEAD');
    git(repo, 'checkout', '-q', '--detach', first);
    try {
      expect(headCommit(repo, NO_GIT_ENV)).toBe(first);
    } finally {
      git(repo, 'checkout', '-q', 'main');
    }
  });

  it('in a linked worktree on its own branch', () => {
    const tree = join(root, 'tree');
    git(repo, 'worktree', 'add', '-q', '-b', 'feature', tree);
    writeFileSync(join(tree, 'other.txt'), 'x');
    git(tree, 'add', '.');
    git(tree, 'commit', '-q', '-m', 'in the worktree');
    expect(headCommit(tree, NO_GIT_ENV)).toBe(git(tree, 'rev-parse', 'HEAD'));
    expect(headCommit(tree, NO_GIT_ENV)).not.toBe(git(repo, 'rev-parse', 'HEAD'));
  });

  it('is null outside any repository', () => {
    const outside = mkdtempSync(join(tmpdir(), 'sqlgate-no-repo-'));
    try {
      expect(headCommit(outside, NO_GIT_ENV)).toBeNull();
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('asks git on an unborn branch (nothing committed yet): null, as git says', () => {
    const empty = join(root, 'empty');
    mkdirSync(empty);
    git(empty, 'init', '-q');
    expect(headCommit(empty, NO_GIT_ENV)).toBeNull();
  });
});
