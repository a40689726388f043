// Issue 11 item 5: `sqlgate init` lays out a new repository from the package's own files and
// never overwrites one.
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../policy/seed-texts.js';
import { cli } from '../support/cli.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sqlgate-init-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function tree(root: string, sub = ''): string[] {
  if (!existsSync(join(root, sub))) return [];
  return readdirSync(join(root, sub), { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? tree(root, join(sub, e.name)) : [join(sub, e.name)]))
    .sort();
}
const packagePolicies = tree(join(REPO_ROOT, 'policies')).map((p) => `policies/${p}`);
const defaultWorkflows = readdirSync(join(REPO_ROOT, 'examples/workflows')).filter((f) => f.endsWith('.yml'));

describe('sqlgate init', () => {
  it('writes the starter policies, the default workflows and an empty migrations folder, then the next three steps', async () => {
    const run = await cli(['init'], { cwd: dir });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(tree(dir)).toEqual(
      [
        ...packagePolicies,
        ...defaultWorkflows.map((f) => `.github/workflows/${f}`),
        'migrations/test_db/.gitkeep',
      ].sort(),
    );
    expect(tree(dir)).not.toContain('.github/workflows/sqlgate-fleet-matrix.yml');
    expect(run.stdout).toContain(
      `sqlgate init: wrote ${packagePolicies.length} policy files, ${defaultWorkflows.length} workflows and migrations/test_db/ in .`,
    );
    expect(run.stdout).toMatch(
      /Next steps:\n {2}1\. .*roles\.yaml[\s\S]*npx sqlgate validate\n {2}2\. [\s\S]*<owner>[\s\S]*\n {2}3\. Merge policies\/ and \.github\/workflows\/ to main in a pull request of their own BEFORE the\n {5}first migration/,
    );
  });

  it("points each $schema line at the installed package's schema, relative to the file", async () => {
    await cli(['init'], { cwd: dir });
    const policyFiles = tree(dir).filter((p) => p.startsWith('policies/') && p.endsWith('.yaml'));
    expect(policyFiles.length).toBeGreaterThan(3);
    for (const file of policyFiles) {
      const line = readFileSync(join(dir, file), 'utf8').split('\n')[0] ?? '';
      const ref = /^# yaml-language-server: \$schema=(\S+)$/.exec(line)?.[1];
      expect(ref, file).toBeDefined();
      const target = relative(dir, join(dirname(join(dir, file)), ref as string));
      expect(target, file).toMatch(/^node_modules\/sqlgate\/schemas\/[\w-]+\.schema\.json$/);
      expect(existsSync(join(REPO_ROOT, target.replace('node_modules/sqlgate/', ''))), target).toBe(true);
    }
  });

  it('leaves policies that validate', async () => {
    await cli(['init'], { cwd: dir });
    const run = await cli(['validate'], { cwd: dir });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^ok: /);
  });

  it('--database names the database in the policies and the migrations folder', async () => {
    const run = await cli(['init', '--dir', 'repo', '--database', 'shop'], { cwd: dir });
    expect(run.code).toBe(0);
    const repo = join(dir, 'repo');
    expect(existsSync(join(repo, 'migrations/shop/.gitkeep'))).toBe(true);
    const environments = readFileSync(join(repo, 'policies/environments.yaml'), 'utf8');
    expect(environments).toContain('name: shop');
    expect(environments).not.toContain('test_db');
    expect((await cli(['validate'], { cwd: repo })).code).toBe(0);
  });

  it('refuses to overwrite, names every existing file, and writes nothing', async () => {
    mkdirSync(join(dir, 'policies'));
    writeFileSync(join(dir, 'policies/roles.yaml'), 'roles: [] # mine\n');
    const run = await cli(['init'], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'sqlgate: refusing to overwrite 1 existing file; nothing was written:\n  policies/roles.yaml\nmove them aside, or run sqlgate init --dir in another directory',
    );
    expect(tree(dir)).toEqual(['policies/roles.yaml']);
    expect(readFileSync(join(dir, 'policies/roles.yaml'), 'utf8')).toBe('roles: [] # mine\n');
  });

  it('refuses a database name that cannot be a folder of migrations, and writes nothing', async () => {
    const run = await cli(['init', '--database', '../x'], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      '--database must be a database name of letters, digits and _ (at most 64), not "../x"',
    );
    expect(tree(dir)).toEqual([]);
  });

  it('the Quick start begins with it and says to merge the policies before the first migration', () => {
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    const quick = readme.slice(
      readme.indexOf('## Quick start'),
      readme.indexOf('\n## ', readme.indexOf('## Quick start') + 5),
    );
    expect(quick.indexOf('npx sqlgate init')).toBeGreaterThan(0);
    expect(quick.indexOf('npx sqlgate init')).toBeLessThan(quick.indexOf('npx sqlgate validate'));
    expect(quick.replace(/\s+/g, ' ')).toContain('before the first migration');
  });
});
