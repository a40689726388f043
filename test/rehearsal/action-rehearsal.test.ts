// The PR check's rehearsal as GitHub would run it: the bundled Action in a child process with the
// `rehearsal-url` input pointing at a throwaway MariaDB server, a real git repository and a
// local GitHub API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runStep } from '../support/action-runner.js';
import { pullRequestEvent } from '../support/events.js';
import { TempRepo } from '../support/git-repo.js';
import { FakeGitHub } from '../support/github-server.js';
import { MariaDbServer } from '../support/mariadb.js';
import { openPr } from '../support/pull-requests.js';

let server: MariaDbServer;
let github: FakeGitHub;
let api: string;
let repo: TempRepo;

beforeAll(async () => {
  server = await MariaDbServer.start({ durable: false });
  github = new FakeGitHub();
  api = await github.start();
  repo = new TempRepo({ withPolicies: false });
  repo.write({
    'policies/roles.yaml':
      'roles:\n  - {id: workspace-owner, members: [alice]}\n  - {id: dba, members: [dana]}\n  - {id: developer, members: [devon]}\n',
    'policies/risk-rules.yaml': `rules:
  - {title: DDL on Prod is High, source: ddl, level: high, when: {environment: prod}}
  - {title: Failed rehearsal is High, source: ddl, level: high, when: {rehearsalFailed: true}}
`,
    'policies/approval-flows.yaml':
      'flows:\n  - {id: dba-review, title: DBA review, steps: [dba]}\nassignments:\n  - {source: ddl, level: high, flow: dba-review}\n',
    'policies/environments.yaml': `environments:
  - {id: test, title: Test, order: 1, rollout: automatic}
  - {id: prod, title: Prod, order: 2, rollout: manual, tag: "prod/*", rolloutRoles: [dba]}
databases:
  - {name: shop, environment: test, urlEnv: TEST_DB_URL}
  - {name: shop, environment: prod, urlEnv: PROD_DB_URL}
`,
    'migrations/shop/1.0.0_init.sql': 'CREATE TABLE t1 (id INT PRIMARY KEY, name VARCHAR(20));\n',
  });
  repo.commit('Adopt sqlgate');
}, 60_000);
afterAll(async () => {
  await Promise.all([server?.stop(), github?.stop()]);
  repo?.cleanup();
});

/** Open PR `number` with `files` and run the check on it with the rehearsal database. */
async function checkPr(
  number: number,
  files: Record<string, string>,
  inputs: Record<string, string> = { 'rehearsal-url': server.url },
) {
  const pr = openPr(repo, github, { number, author: 'devon', files });
  repo.git('checkout', '-q', 'main');
  const result = await runStep({
    eventName: 'pull_request',
    payload: pullRequestEvent('opened', pr),
    workspace: repo.dir,
    apiUrl: api,
    sha: pr.headSha,
    inputs,
  });
  return { result, statuses: github.statusesOf(pr.headSha), comment: github.commentOf(number) ?? '' };
}

describe('the PR check with rehearsal-url, through dist/index.js', { timeout: 120_000 }, () => {
  it('fails the status with the server’s error and the line when a migration does not apply', async () => {
    const { result, statuses, comment } = await checkPr(1, {
      'migrations/shop/1.1.0_email.sql':
        '-- email after a column that is not there\nALTER TABLE t1\n  ADD COLUMN email VARCHAR(100) AFTER nope;\n',
    });
    expect(statuses).toEqual([
      "failure: rehearsal failed: migrations/shop/1.1.0_email.sql statement 1 (line 2): ER_BAD_FIELD_ERROR (1054): Unknown column 'nope' in 't1'",
    ]);
    expect(comment).toContain('### Rehearsal — ❌ failed');
    expect(comment).toContain(
      "| `migrations/shop/1.1.0_email.sql` | ❌ failed at statement 1 (line 2): ER_BAD_FIELD_ERROR (1054): Unknown column 'nope' in 't1' |",
    );
    // The fact reached the risk rules: the failed statement is high risk in Test too.
    expect(comment).toContain(
      '| `migrations/shop/1.1.0_email.sql` | Test | 🔴 High | ALTER_TABLE | Failed rehearsal is High |',
    );
    expect(comment).toContain(
      '| migrations/shop/1.1.0_email.sql:2 | Test | ALTER_TABLE | 🔴 high | `ALTER TABLE t1 ADD COLUMN email VARCHAR(100) AFTER nope` | Failed rehearsal is High | ❌ failed |',
    );
    expect(result.outputs).toMatchObject({ 'risk-level': 'high', approved: 'false' });
    // The password-free URL is what the comment names; the scratch schema was dropped.
    expect(
      await server.query(
        "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE 'sqlgate_rh_%'",
      ),
    ).toEqual([]);
  });

  it('puts a passing rehearsal’s facts in the comment and leaves the status to the approvals', async () => {
    const { result, statuses, comment } = await checkPr(2, {
      'migrations/shop/1.1.0_email.sql':
        'ALTER TABLE t1 ADD COLUMN email VARCHAR(100);\nCREATE INDEX ix_t1_email ON t1 (email);\n',
      'migrations/shop/1.1.0_email.down.sql':
        'DROP INDEX ix_t1_email ON t1;\nALTER TABLE t1 DROP COLUMN email;\n',
    });
    expect(result.code).toBe(0);
    expect(statuses).toEqual(['pending: waiting for DBA (0 of 1)']);
    expect(comment).toContain('### Rehearsal — ✅ passed');
    expect(comment).toContain('| shop: base branch | ✅ 1 migrations |');
    expect(comment).toMatch(
      /\| `migrations\/shop\/1\.1\.0_email\.sql` \| ✅ applied, 2 statements in [\d.]+ m?s<br\/>✅ up → down → up with migrations\/shop\/1\.1\.0_email\.down\.sql: the schema after down matches the schema before up \|/,
    );
    // Each statement's facts (rehearsalFailed, rehearsalMs) beside the level the rules gave it.
    expect(comment).toContain('| Where | Env | Type | Level | Statement | Rules | Rehearsal |');
    expect(comment).toMatch(
      /\| migrations\/shop\/1\.1\.0_email\.sql:2 \| Prod \| CREATE_INDEX \| 🔴 high \| `CREATE INDEX ix_t1_email ON t1 \(email\)` \| DDL on Prod is High \| ✅ [\d.]+ m?s \|/,
    );
    expect(result.summary).toContain('### Rehearsal — ✅ passed');
    expect(result.outputs).toMatchObject({ 'risk-level': 'high', flow: 'dba-review', approved: 'false' });
  });

  it('rehearses on the workflow’s service container with rehearsal: service', async () => {
    // The service the example workflow starts answers at 127.0.0.1:3306 as root without a
    // password; here that is the machine's shared server, where the scratch schema is unique.
    const { result, statuses, comment } = await checkPr(
      3,
      { 'migrations/shop/1.1.0_audit.sql': 'CREATE TABLE audit (id BIGINT PRIMARY KEY);\n' },
      { rehearsal: 'service' },
    );
    expect(result.code).toBe(0);
    expect(statuses).toEqual(['pending: waiting for DBA (0 of 1)']);
    expect(comment).toContain('### Rehearsal — ✅ passed');
    expect(comment).toContain('On a throwaway schema per database (mysql://root@127.0.0.1:3306/)');
  });
});
