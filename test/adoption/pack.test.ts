// Issue 11 item 2: the CLI has a real install path. The packed tarball installs into an empty
// directory without the registry and runs, because dist/ bundles every dependency.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../policy/seed-texts.js';
import { installInto, packProject, sizeOf, sqlgate } from './packed.js';

const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'));
let tarball: string;
let dir: string;

beforeAll(() => {
  tarball = packProject();
  dir = installInto(tarball);
});
afterAll(() => {
  rmSync(dirname(tarball), { recursive: true, force: true });
  rmSync(dir, { recursive: true, force: true });
});

describe('the packed CLI', () => {
  it('installs offline into an empty directory and brings no other package', () => {
    const installed = readdirSync(join(dir, 'node_modules')).filter((n) => !n.startsWith('.'));
    expect(installed).toEqual(['sqlgate']);
  });

  it('prints its version', () => {
    const run = sqlgate(dir, ['--version']);
    expect(run).toMatchObject({ code: 0, stdout: `sqlgate ${pkg.version}\n` });
  });

  it('validates the starter policies it ships', () => {
    cpSync(join(dir, 'node_modules/sqlgate/policies'), join(dir, 'policies'), { recursive: true });
    const run = sqlgate(dir, ['validate']);
    expect(run.stderr).not.toMatch(/error/i);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^ok: \d+ roles/);
  });

  it('is lean: the bundles, schemas, starter policies, workflows, README and LICENSE, nothing else', () => {
    const root = join(dir, 'node_modules/sqlgate');
    expect(readdirSync(root).sort()).toEqual(
      ['LICENSE', 'README.md', 'bin', 'dist', 'examples', 'package.json', 'policies', 'schemas'].sort(),
    );
    expect(readdirSync(join(root, 'dist')).sort()).toEqual(['cli.js', 'deploy-cli.js', 'parse-worker.js']);
    expect(existsSync(join(root, 'schemas/roles.schema.json'))).toBe(true);
    // The bundles are about 5 MB; node_modules of a checkout is about 300 MB.
    expect(sizeOf(join(dir, 'node_modules'))).toBeLessThan(8 * 1024 * 1024);
    expect(sizeOf(tarball)).toBeLessThan(2 * 1024 * 1024);
  });

  it('declares no runtime dependencies, because dist/ bundles them', () => {
    expect(pkg.dependencies ?? {}).toEqual({});
    expect(pkg.bin).toEqual({ sqlgate: 'bin/sqlgate.js' });
    const bin = readFileSync(join(REPO_ROOT, 'bin/sqlgate.js'), 'utf8');
    const imports = [...bin.matchAll(/import\(([^)]*)\)/g)].map((m) => m[1]);
    for (const spec of imports) expect(spec).toMatch(/'node:|\.\.\/dist\//);
  });

  it('installs as a git dependency at the v0 tag (npm install -D <owner>/sqlgate#v0) with no build step', () => {
    // A repository holding what the v0 tag holds: the committed dist/ and package.json, no
    // node_modules. npm "prepares" a git dependency (installs all its devDependencies, online)
    // when its package.json has a build, prepare, prepack, preinstall, install or postinstall
    // script; sqlgate has none (the bundle script is `bundle`), so npm only packs it.
    expect(Object.keys(pkg.scripts)).not.toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^(build|prepare|prepack|preinstall|install|postinstall)$/),
      ]),
    );
    const root = mkdtempSync(join(tmpdir(), 'sqlgate-gitdep-'));
    try {
      const upstream = join(root, 'sqlgate');
      cpSync(join(dir, 'node_modules/sqlgate'), upstream, { recursive: true });
      const git = (...args: string[]) => execFileSync('git', args, { cwd: upstream, stdio: 'ignore' });
      git('init', '-q', '-b', 'main');
      git('add', '-A');
      git('-c', 'user.email=rel@example.com', '-c', 'user.name=Rel', 'commit', '-q', '-m', 'release');
      git('tag', 'v0');
      const user = join(root, 'user');
      mkdirSync(user);
      installInto(`git+file://${upstream}#v0`, user);
      expect(readdirSync(join(user, 'node_modules')).filter((n) => !n.startsWith('.'))).toEqual(['sqlgate']);
      expect(sqlgate(user, ['--version'])).toMatchObject({ code: 0, stdout: `sqlgate ${pkg.version}\n` });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
