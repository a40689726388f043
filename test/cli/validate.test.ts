import { execFileSync, spawnSync } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../policy/seed-texts.js';
import { cli } from '../support/cli.js';

const temps: string[] = [];
function copyOfSeed(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sqlgate-validate-'));
  temps.push(dir);
  cpSync(join(REPO_ROOT, 'examples/seed/policies'), join(dir, 'policies'), { recursive: true });
  return dir;
}
function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir).map((f) => [f, readFileSync(join(dir, f), 'utf8') + statSync(join(dir, f)).mtimeMs]),
  );
}
afterEach(() => {
  for (const d of temps.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('sqlgate validate', () => {
  it('prints ok and a one-line summary for the starter policies', async () => {
    const run = await cli(['validate'], { cwd: REPO_ROOT });
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('ok: 5 roles, 6 rules (+ Bytebase preset), 3 flows, 2 environments, 2 databases');
  });

  it('warns about an environment that opts out of re-verifying approvals on deploy', async () => {
    const dir = copyOfSeed();
    const path = join(dir, 'policies/environments.yaml');
    writeFileSync(
      path,
      readFileSync(path, 'utf8').replace(
        'rollout: automatic',
        'rollout: automatic\n    verifyApprovals: false',
      ),
    );
    const run = await cli(['validate'], { cwd: dir });
    expect(run.code).toBe(0);
    expect(run.stderr.split('\n')[0]).toBe(
      'policies/environments.yaml:8:22: warning: environment "test" sets verifyApprovals: false, so its deploys do not check that each migration came from an approved, merged pull request; a forged status or a direct push to the default branch reaches Test unreviewed',
    );
  });

  it('warns about a flow step whose role has no members, and still passes, changing nothing', async () => {
    const dir = copyOfSeed();
    const path = join(dir, 'policies/roles.yaml');
    writeFileSync(path, readFileSync(path, 'utf8').replace('members: [tom]', 'members: []'));
    const before = snapshot(join(dir, 'policies'));
    const run = await cli(['validate'], { cwd: dir });
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('ok: 5 roles, 2 rules, 2 flows, 2 environments, 2 databases');
    expect(run.stderr.split('\n')).toContain(
      'policies/approval-flows.yaml:10:13: warning: role "tester" has no members, so step 1 of flow "tester-owner-dba" can never be approved; add members to it in roles.yaml',
    );
    expect(snapshot(join(dir, 'policies'))).toEqual(before);
  });

  it('warns about a kind of change no rule rates, and one no assignment covers', async () => {
    const dir = copyOfSeed();
    const run = await cli(['validate'], { cwd: dir });
    expect(run.code).toBe(0);
    // The seed writes preset: none and rates only DDL, so data changes are level none.
    expect(run.stderr.split('\n')[0]).toBe(
      "policies/risk-rules.yaml:2:9: warning: no rule rates data changes (source dml), so they are level none and need no approval; add a rule for them, or drop preset: none to use Bytebase's",
    );
    const rules = join(dir, 'policies/risk-rules.yaml');
    writeFileSync(rules, readFileSync(rules, 'utf8').replace(/^preset: none/m, '# preset: none'));
    const withPreset = await cli(['validate'], { cwd: dir });
    expect(withPreset.code).toBe(0);
    expect(withPreset.stderr.split('\n')[0]).toBe(
      'policies/approval-flows.yaml:11:1: warning: no assignment covers data changes (source dml), so they need no approval at any level; assign a flow to (dml, high) at least',
    );
  });

  it('the starter policies rate and assign every kind of change, and their tests exercise every rule and flow', async () => {
    const run = await cli(['validate', '--strict', '--policies', 'policies'], { cwd: REPO_ROOT });
    expect(run).toEqual({
      code: 0,
      stdout: 'ok: 5 roles, 6 rules (+ Bytebase preset), 3 flows, 2 environments, 2 databases',
      stderr: '',
    });
  });

  it('prints every error as file:line:column and exits 2, changing nothing', async () => {
    const dir = copyOfSeed();
    writeFileSync(
      join(dir, 'policies/approval-flows.yaml'),
      'flows:\n  - id: f\n    title: F\n    steps: [testr]\nassignments:\n  - {source: ddl, level: hihg, flow: f}\n',
    );
    const before = snapshot(join(dir, 'policies'));
    const run = await cli(['validate', '--policies', 'policies'], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.split('\n')).toEqual([
      'policies/approval-flows.yaml:6:26: "level" is the string "hihg"; did you mean "high"? expected one of: high, moderate, low',
      '1 error',
    ]);
    expect(snapshot(join(dir, 'policies'))).toEqual(before);
  });

  it("warns about sqlgate's old statement type names, naming Bytebase's, and still passes", async () => {
    const dir = copyOfSeed();
    writeFileSync(
      join(dir, 'policies/risk-rules.yaml'),
      'rules:\n  - {title: renames, source: ddl, level: high, when: {statementType: RENAME_TABLE}}\n',
    );
    const run = await cli(['validate'], { cwd: dir });
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('ok: 5 roles, 1 rule (+ Bytebase preset), 2 flows, 2 environments, 2 databases');
    expect(run.stderr.split('\n')).toContain(
      `policies/risk-rules.yaml:2:70: warning: "RENAME_TABLE" is the old name of Bytebase's RENAME; write RENAME`,
    );
  });

  it('refuses migration file names a pull request would be refused for, changing nothing', async () => {
    const dir = copyOfSeed();
    const folder = join(dir, 'migrations/test_db');
    mkdirSync(folder, { recursive: true });
    for (const name of [
      '1.0.0_init.sql',
      "1.2.0_x'$(id>&2)'.sql",
      'V2_add_col.sql',
      'notes.txt',
      'README.md',
      '.gitkeep',
    ])
      writeFileSync(join(folder, name), 'SELECT 1;\n');
    const before = snapshot(folder);
    const run = await cli(['validate'], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.split('\n')).toEqual([
      `migrations/test_db/1.2.0_x'$(id>&2)'.sql: migration file name "1.2.0_x'$(id>&2)'.sql" has characters other than letters, digits, ".", "_" and "-" ("'" "$" "(" ">" "&" ")"); names are passed to shells and URLs, so rename it, e.g. 1.2.0_x_id_2.sql`,
      'migrations/test_db/notes.txt: "notes.txt" is not a .sql file, so sqlgate would never apply it; name it <version>_<description>.sql, or keep it outside migrations/ (Markdown notes and dotfiles may stay)',
      'migrations/test_db/V2_add_col.sql: "V2_add_col.sql" has a Flyway version (V2) and one underscore; Flyway names take two: V2__add_col.sql',
      '3 errors',
    ]);
    expect(snapshot(folder)).toEqual(before);
  });

  it('refuses a postgres:// URL in a database variable set where it runs: sqlgate handles MySQL and MariaDB', async () => {
    const dir = copyOfSeed();
    const before = snapshot(join(dir, 'policies'));
    const run = await cli(['validate'], {
      cwd: dir,
      env: { TEST_DB_URL: 'mysql://u:p@db:3306/', PROD_DB_URL: 'postgres://u:secret@db:5432/app' },
    });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.split('\n')).toEqual([
      'policies/environments.yaml:20:13: PROD_DB_URL holds a postgres:// URL, but sqlgate handles MySQL and MariaDB only; database "test_db" (prod) needs a mysql:// or mariadb:// URL',
      '1 error',
    ]);
    expect(run.stderr).not.toContain('secret');
    expect(snapshot(join(dir, 'policies'))).toEqual(before);
    const unset = await cli(['validate'], { cwd: dir, env: { TEST_DB_URL: 'mariadb://u:p@db/' } });
    expect(unset.code).toBe(0);
  });

  it('names a missing policies directory and exits 2', async () => {
    const run = await cli(['validate', '--policies', 'nowhere'], { cwd: REPO_ROOT });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /^sqlgate: policies directory not found: nowhere \(create it with roles\.yaml/,
    );
  });

  it('rejects an unknown flag with usage and exit 2', async () => {
    const run = await cli(['validate', '--polices', 'x'], { cwd: REPO_ROOT });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("Unknown option '--polices'");
    expect(run.stderr).toContain('usage: sqlgate');
  });

  it('rejects an unknown command and exits 2', async () => {
    const run = await cli(['valdate'], { cwd: REPO_ROOT });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /^sqlgate: unknown command "valdate"; commands: deploy, status, repair, init, plan, rollback, rehearse, validate/,
    );
  });

  it('runs as the installed bin from the committed bundle', () => {
    const out = execFileSync(process.execPath, [join(REPO_ROOT, 'bin/sqlgate.js'), 'validate'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    });
    expect(out.trim()).toBe('ok: 5 roles, 6 rules (+ Bytebase preset), 3 flows, 2 environments, 2 databases');
    const dir = copyOfSeed();
    writeFileSync(join(dir, 'policies/roles.yaml'), 'roles:\n\t- id: dba\n');
    const bad = spawnSync(process.execPath, [join(REPO_ROOT, 'bin/sqlgate.js'), 'validate'], {
      cwd: dir,
      encoding: 'utf8',
    });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain(
      'policies/roles.yaml:2:1: malformed YAML: a tab is used for indentation; indent with spaces',
    );
  });
});
