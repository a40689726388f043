// Issue 11, done when: a newcomer's path on a clean copy. The packed package is installed into an
// empty directory with no registry, `sqlgate init` starts a new git repository, the policies
// validate, a first migration is added on a branch, and `plan` rates it — through the installed
// bin, as the README's Quick start says. (The README's two opening commands, npm run demo and
// npm test on a fresh clone, are covered by fresh-clone.test.ts without a real npm ci.)
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installInto, packProject, sqlgate } from './packed.js';

let tarball: string;
let repo: string;
const git = (...args: string[]) =>
  execFileSync('git', args, { cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

beforeAll(() => {
  tarball = packProject();
  repo = installInto(tarball);
  git('init', '-q', '-b', 'main');
  git('config', 'user.email', 'newcomer@example.com');
  git('config', 'user.name', 'Newcomer');
  git('config', 'commit.gpgsign', 'false');
  writeFileSync(join(repo, '.gitignore'), 'node_modules/\n');
});
afterAll(() => {
  rmSync(dirname(tarball), { recursive: true, force: true });
  rmSync(repo, { recursive: true, force: true });
});

describe("a newcomer's first hour, as the README says", () => {
  it('npx sqlgate init lays out the repository and prints the next steps', () => {
    const run = sqlgate(repo, ['init']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('sqlgate init: wrote');
    expect(run.stdout).toContain('Next steps:');
    for (const path of [
      'policies/environments.yaml',
      '.github/workflows/sqlgate-check.yml',
      'migrations/test_db/.gitkeep',
    ])
      expect(existsSync(join(repo, path)), path).toBe(true);
    // The $schema line resolves to the installed package's schema.
    const line = readFileSync(join(repo, 'policies/roles.yaml'), 'utf8').split('\n')[0] ?? '';
    const ref = line.replace('# yaml-language-server: $schema=', '');
    expect(existsSync(join(repo, 'policies', ref)), ref).toBe(true);
  });

  it('npx sqlgate validate accepts the starter policies', () => {
    const run = sqlgate(repo, ['validate']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /^ok: \d+ roles, \d+ rules \(\+ Bytebase preset\), \d+ flows, 2 environments, 2 databases/,
    );
    // The starter's tests exercise every rule and flow, and every kind of change is rated and assigned.
    expect(run.stderr).toBe('');
  });

  it('after the policies are merged, npx sqlgate plan rates a first migration on a branch', () => {
    git('add', '-A');
    git('commit', '-q', '-m', 'sqlgate policies and workflows');
    git('checkout', '-q', '-b', 'first-migration');
    writeFileSync(
      join(repo, 'migrations/test_db/1.0.0_create_users.sql'),
      'CREATE TABLE users (id INT PRIMARY KEY, email VARCHAR(200) NOT NULL);\n',
    );
    git('add', '-A');
    git('commit', '-q', '-m', 'first migration');
    const run = sqlgate(repo, ['plan', '--base', 'main']);
    expect(run.stderr).toBe('analysing 1 migration file\n');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('migrations/test_db/1.0.0_create_users.sql');
    expect(run.stdout).toContain('CREATE_TABLE');
    // The starter policies rate DDL on Prod high, and a flow covers it.
    expect(run.stdout).toMatch(/^Prod \(manual: tag prod\/\*/m);
    expect(run.stdout).toMatch(/^ {4}1:1 +CREATE_TABLE +HIGH +DDL on Prod is High/m);
    expect(run.stdout).toMatch(/^Risk: high/m);
    expect(run.stdout).toMatch(/^Approval flow: .+ \(assigned to ddl × high/m);
  });

  it('a second init refuses and changes nothing', () => {
    const before = git('status', '--porcelain');
    const run = sqlgate(repo, ['init']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('sqlgate: refusing to overwrite');
    expect(run.stderr).toContain('policies/roles.yaml');
    expect(git('status', '--porcelain')).toBe(before);
  });
});
