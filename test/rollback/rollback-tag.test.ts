// Rollback by tag, as GitHub would run it: the bundled Action in a child process for each tag
// push, a real git repository, a local GitHub API, and one throwaway MariaDB server holding the
// Test and Prod databases.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runStep } from '../support/action-runner.js';
import { cli } from '../support/cli.js';
import { pushEvent, reviewEvent } from '../support/events.js';
import { TempRepo } from '../support/git-repo.js';
import { FakeGitHub } from '../support/github-server.js';
import { MariaDbServer } from '../support/mariadb.js';
import { mergePr, openPr } from '../support/pull-requests.js';

let server: MariaDbServer;
let github: FakeGitHub;
let api: string;
let repo: TempRepo;
const TEST = `rbt_test_${process.pid}`;
const PROD = `rbt_prod_${process.pid}`;

beforeAll(async () => {
  server = await MariaDbServer.start({ durable: false });
  for (const db of [TEST, PROD]) await server.query(`CREATE DATABASE ${db}`);
  github = new FakeGitHub();
  api = await github.start();
  repo = new TempRepo({ withPolicies: false });
}, 60_000);
afterAll(async () => {
  await Promise.all([server?.stop(), github?.stop()]);
  repo?.cleanup();
});

const env = () => ({ TEST_DB_URL: server.url, PROD_DB_URL: server.url });
const ZERO = '0'.repeat(40);

function step(eventName: string, payload: unknown, sha: string) {
  return runStep({ eventName, payload, workspace: repo.dir, apiUrl: api, sha, env: env() });
}

/** `who` pushes `tag` on `commit`, as the push event GitHub sends. */
function pushTag(tag: string, commit: string, who: string) {
  repo.git('tag', '-f', tag, commit);
  return step('push', pushEvent(`refs/tags/${tag}`, ZERO, commit, who), commit);
}

async function columns(db: string): Promise<string[]> {
  const rows = await server.query<{ c: string }>(
    `SELECT COLUMN_NAME AS c FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '${db}' AND TABLE_NAME = 't1' ORDER BY ORDINAL_POSITION`,
  );
  return rows.map((r) => r.c);
}

const history = (db: string) =>
  server.query<{ version: string; status: string; note: string | null }>(
    `SELECT version, status, note FROM ${db}.sqlgate_history ORDER BY id`,
  );

describe('rollback/<env>/<version> tags through dist/index.js', () => {
  it('runs the reviewed down files on the environment when a rollout role pushes the tag, and refuses otherwise with the reason', async () => {
    repo.write({
      'policies/roles.yaml':
        'roles:\n  - {id: workspace-owner, members: [alice]}\n  - {id: project-owner, members: [olivia]}\n  - {id: dba, members: [dana]}\n  - {id: developer, members: [devon]}\n',
      'policies/risk-rules.yaml':
        'rules:\n  - {title: DDL on Prod is High, source: ddl, level: high, when: {environment: prod}}\n',
      'policies/approval-flows.yaml':
        'flows:\n  - {id: dba-review, title: DBA review, steps: [dba]}\nassignments:\n  - {source: ddl, level: high, flow: dba-review}\n',
      'policies/environments.yaml': `environments:
  - {id: test, title: Test, order: 1, rollout: automatic}
  - {id: prod, title: Prod, order: 2, rollout: manual, tag: "prod/*", rolloutRoles: [dba]}
databases:
  - {name: ${TEST}, environment: test, urlEnv: TEST_DB_URL, migrations: app}
  - {name: ${PROD}, environment: prod, urlEnv: PROD_DB_URL, migrations: app}
`,
      'migrations/app/1.0.0_init.sql': 'CREATE TABLE t1 (id INT PRIMARY KEY, name VARCHAR(20));\n',
    });
    repo.commit('Adopt sqlgate');
    for (const e of ['test', 'prod'])
      expect((await cli(['deploy', '--env', e], { cwd: repo.dir, env: env() })).code).toBe(0);

    // A reviewed migration with its down file: approved by the DBA, merged, on Test, then on Prod.
    const pr = openPr(repo, github, {
      number: 1,
      author: 'devon',
      files: {
        'migrations/app/1.1.0_add_email.sql': 'ALTER TABLE t1 ADD COLUMN email VARCHAR(100);\n',
        'migrations/app/1.1.0_add_email.down.sql': '-- undo 1.1.0\nALTER TABLE t1 DROP COLUMN email;\n',
      },
    });
    github.review(1, 'dana', 'APPROVED');
    expect(
      (await step('pull_request_review', reviewEvent('submitted', pr, 'dana', 'APPROVED'), pr.headSha)).code,
    ).toBe(0);
    const merged = mergePr(repo, github, 1);
    expect(
      (await step('push', pushEvent('refs/heads/main', merged.before, merged.after, 'devon'), merged.after))
        .code,
    ).toBe(0);
    expect((await pushTag('prod/v1', merged.after, 'dana')).code).toBe(0);
    expect(await columns(PROD)).toEqual(['id', 'name', 'email']);

    // Refused: a developer is not a rollout role of Prod.
    const developer = await pushTag('rollback/prod/1.0.0', merged.after, 'devon');
    expect(developer.code).not.toBe(0);
    expect(developer.stdout).toContain(
      '::error::sqlgate: rollback of rollback/prod/1.0.0 refused (sender): devon pushed the tag but holds none of the rollout roles of Prod (dba). Nothing was rolled back.',
    );
    // Refused: the version to roll back to was never applied there.
    const unknown = await pushTag('rollback/prod/0.9.0', merged.after, 'dana');
    expect(unknown.stdout).toContain(
      `rollback of rollback/prod/0.9.0 refused (version): version 0.9.0 is not applied in ${PROD} in Prod, so there is nothing to roll back to. Nothing was rolled back.`,
    );
    // Refused: Test rolls out automatically, so no role is named to roll it back by tag.
    const automatic = await pushTag('rollback/test/1.0.0', merged.after, 'dana');
    expect(automatic.stdout).toContain(
      'rollback of rollback/test/1.0.0 refused (sender): Test rolls out automatically and names no rolloutRoles, so nobody may roll it back by tag',
    );
    // Refused: a tag that names no version.
    const malformed = await pushTag('rollback/prod-1.0.0', merged.after, 'dana');
    expect(malformed.stdout).toContain(
      'rollback of rollback/prod-1.0.0 refused (tag): tag rollback/prod-1.0.0 is not a rollback tag: expected rollback/<environment>/<version>, e.g. rollback/prod/1.2.0.',
    );

    // Refused: a down file revised in a PR whose flows its SQL would have needed were not
    // satisfied. The PR check does not judge down files, so it needed no approval; the tag does.
    openPr(repo, github, {
      number: 2,
      author: 'devon',
      files: {
        'migrations/app/1.1.0_add_email.down.sql': 'ALTER TABLE t1 DROP COLUMN email;\nDROP TABLE t1;\n',
      },
    });
    const merged2 = mergePr(repo, github, 2);
    const unapproved = await pushTag('rollback/prod/1.0.0', merged2.after, 'dana');
    expect(unapproved.code).not.toBe(0);
    expect(unapproved.stdout).toContain(
      'rollback of rollback/prod/1.0.0 refused (approval): migrations/app/1.1.0_add_email.down.sql: PR #2 merged without its approvals: DBA review: waiting for DBA (0 of 1). Nothing was rolled back.',
    );
    // Refused: a down file edited on main without a pull request.
    repo.write({ 'migrations/app/1.1.0_add_email.down.sql': 'ALTER TABLE t1 DROP COLUMN email;\n' });
    const direct = repo.commit('Fix the down file directly on main');
    const unreviewed = await pushTag('rollback/prod/1.0.0', direct, 'dana');
    expect(unreviewed.stdout).toContain(
      `rollback of rollback/prod/1.0.0 refused (approval): migrations/app/1.1.0_add_email.down.sql was pushed to main without a merged pull request (commit ${direct.slice(0, 7)}). Nothing was rolled back.`,
    );
    for (const refused of [developer, unknown, automatic, malformed, unapproved, unreviewed])
      expect(refused.outputs).toMatchObject({ deployed: '[]', 'rolled-back': '[]' });
    expect(await columns(PROD)).toEqual(['id', 'name', 'email']);
    expect((await history(PROD)).map((r) => r.status)).toEqual(['success', 'success']);

    // Allowed: the DBA rolls Prod back to 1.0.0 from the commit that merged PR #1, whose down file
    // the DBA approved (the runner checks the tag out); Test is untouched.
    const restored = merged.after;
    repo.git('checkout', '-q', restored);
    const rollback = await pushTag('rollback/prod/1.0.0', restored, 'dana');
    expect(rollback.code).toBe(0);
    expect(rollback.stdout).toContain(`✓ ${PROD} in Prod: will run migrations/app/1.1.0_add_email.down.sql`);
    expect(rollback.stdout).toContain(
      '✓ migrations/app/1.1.0_add_email.down.sql: PR #1 was approved (DBA review)',
    );
    expect(rollback.stdout).toContain(
      `✓ prod/${PROD}: rolled back with migrations/app/1.1.0_add_email.down.sql`,
    );
    expect(rollback.summary).toContain('sqlgate rollback');
    expect(JSON.parse(rollback.outputs['rolled-back'] as string)).toEqual([
      { environment: 'prod', database: PROD, steps: ['migrations/app/1.1.0_add_email.down.sql'] },
    ]);
    expect(await columns(PROD)).toEqual(['id', 'name']);
    expect(await columns(TEST)).toEqual(['id', 'name', 'email']);
    const rows = await history(PROD);
    expect(rows.map((r) => [r.version, r.status])).toEqual([
      ['1.0.0', 'success'],
      ['1.1.0', 'rolled-back'],
    ]);
    expect(rows[1]?.note).toMatch(
      /^\d{4}-\d\d-\d\dT[\d:.]+Z dana: rolled back with migrations\/app\/1\.1\.0_add_email\.down\.sql$/,
    );

    // The next rollout by tag applies it again.
    expect((await pushTag('prod/v2', restored, 'dana')).code).toBe(0);
    expect(await columns(PROD)).toEqual(['id', 'name', 'email']);
  }, 180_000);
});
