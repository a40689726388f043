import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCheck } from '../../src/check/check.js';
import { parseDatabaseUrl } from '../../src/db/url.js';
import { GitRepo } from '../../src/git/repo.js';
import { createGitHub } from '../../src/github/client.js';
import { ParserPool } from '../../src/parser/pool.js';
import { TempRepo } from '../support/git-repo.js';
import { OWNER, REPO } from '../support/github-fixtures.js';
import { stubGitHub } from '../support/github-stub.js';
import { MariaDbServer } from '../support/mariadb.js';

const pool = new ParserPool();
let server: MariaDbServer;
const repos: TempRepo[] = [];
beforeAll(async () => {
  nock.disableNetConnect();
  server = await MariaDbServer.start({ durable: false });
}, 60_000);
afterEach(() => {
  nock.cleanAll();
  for (const r of repos.splice(0)) r.cleanup();
});
afterAll(async () => {
  nock.enableNetConnect();
  await pool.close();
  await server?.stop();
});

const RISK_RULES = `unparsedLevel: high
rules:
  - title: DDL on Prod is High
    source: ddl
    level: high
    when:
      environment: prod
  - title: DDL on Test is Low
    source: ddl
    level: low
    when:
      environment: test
`;

/** A PR adding `files` on top of one migration; `riskRules` replaces the seed's risk-rules.yaml on main. */
function pr(files: Record<string, string>, riskRules = RISK_RULES, onMain: Record<string, string> = {}) {
  const repo = new TempRepo();
  repos.push(repo);
  repo.write({
    'migrations/test_db/1.0.0_init.sql': 'CREATE TABLE t1 (id INT PRIMARY KEY);\n',
    // The rules as written, without Bytebase's preset, so each level comes from one of them.
    'policies/risk-rules.yaml': `${riskRules}preset: none\n`,
    ...onMain,
  });
  const base = repo.commit('init');
  repo.git('checkout', '-q', '-b', 'feature');
  repo.write(files);
  const head = repo.commit('pr');
  return { repo, base, head, paths: Object.keys(files) };
}

async function check(p: ReturnType<typeof pr>, rehearse = true) {
  nock.cleanAll();
  const recorded = stubGitHub({ files: p.paths, reviews: [] });
  const outcome = await runCheck({
    repo: new GitRepo(p.repo.dir),
    github: createGitHub({ token: 'ghs_test', writeIntervalMs: 0 }),
    ref: { owner: OWNER, repo: REPO },
    pull: { number: 7, author: 'devon', baseSha: p.base, headSha: p.head, changedFiles: p.paths.length },
    parser: pool,
    policiesDir: 'policies',
    migrationsDir: 'migrations',
    ...(rehearse
      ? { rehearsal: { target: parseDatabaseUrl('REHEARSAL', server.url), appliedBy: 'check of PR #7' } }
      : {}),
  });
  return { outcome, recorded };
}

const comment = (recorded: { comments: string[] }) => recorded.comments.at(-1) ?? '';

describe('the PR check with a rehearsal database', { timeout: 60_000 }, () => {
  it('fails the status with the error and its line when a migration does not apply, whatever the approvals', async () => {
    const { recorded } = await check(
      pr({
        'migrations/test_db/1.1.0_email.sql':
          '-- email\nALTER TABLE t1\n  ADD COLUMN email VARCHAR(100) AFTER nope;\n',
      }),
    );
    expect(recorded.statuses.at(-1)).toMatchObject({
      state: 'failure',
      description: expect.stringMatching(
        /^rehearsal failed: migrations\/test_db\/1\.1\.0_email\.sql statement 1 \(line 2\): ER_BAD_FIELD_ERROR \(1054\): Unknown column 'nope' in 't1'/,
      ),
    });
    const text = comment(recorded);
    expect(text).toContain('## sqlgate: 🔴 High risk — ❌ rehearsal failed; ');
    expect(text).toContain('### Rehearsal — ❌ failed');
    expect(text).toMatch(
      /\| `migrations\/test_db\/1\.1\.0_email\.sql` \| ❌ failed at statement 1 \(line 2\): ER_BAD_FIELD_ERROR \(1054\): Unknown column 'nope' in 't1' \|/,
    );
  });

  it('shows a passing rehearsal beside the risk and leaves the status to the approvals', async () => {
    const { recorded, outcome } = await check(
      pr({
        'migrations/test_db/1.1.0_email.sql': 'ALTER TABLE t1 ADD COLUMN email VARCHAR(100);\n',
        'migrations/test_db/1.1.0_email.down.sql': 'ALTER TABLE t1 DROP COLUMN email;\n',
      }),
    );
    expect(recorded.statuses.at(-1)?.state).toBe('pending');
    const text = comment(recorded);
    expect(text).toContain('### Rehearsal — ✅ passed');
    expect(text).toContain('| test_db: base branch | ✅ 1 migrations |');
    expect(text).toMatch(
      /\| `migrations\/test_db\/1\.1\.0_email\.sql` \| ✅ applied, 1 statement in [\d.]+ m?s<br\/>✅ up → down → up with migrations\/test_db\/1\.1\.0_email\.down\.sql: the schema after down matches the schema before up \| [\d.]+ m?s \| statement 1 \(line 1\): [\d.]+ m?s \|/,
    );
    expect(outcome.ok && outcome.rehearsal.report?.state).toBe('passed');
  });

  it('gives risk rules the facts rehearsalFailed and rehearsalMs', async () => {
    const rules = `${RISK_RULES}  - title: Failed rehearsal is High
    source: ddl
    level: high
    when:
      rehearsalFailed: true
  - title: Slow in rehearsal
    source: ddl
    level: moderate
    when:
      rehearsalMs: { gt: 600000 }
`;
    const files = {
      'migrations/test_db/1.1.0_email.sql':
        'ALTER TABLE t1 ADD COLUMN email VARCHAR(100);\nALTER TABLE t1 ADD COLUMN x INT AFTER nope;\n',
    };
    const matched = (o: Awaited<ReturnType<typeof check>>['outcome']) =>
      o.ok
        ? o.plan.risk.tasks
            .filter((t) => t.environment === 'test')
            .flatMap((t) =>
              t.statements.map((s) =>
                s.matches.map(
                  (m) =>
                    `${s.start.line}: ${m.title}${m.unknownFacts.length > 0 ? ` (${m.unknownFacts.join(', ')} unknown)` : ''}`,
                ),
              ),
            )
        : [];
    const rehearsed = await check(pr(files, rules));
    expect(matched(rehearsed.outcome)).toEqual([
      ['1: DDL on Test is Low'],
      ['2: Failed rehearsal is High', '2: Slow in rehearsal (rehearsalMs unknown)', '2: DDL on Test is Low'],
    ]);
    // Without a rehearsal nothing is known, and rules on it hold (fail closed).
    const blind = await check(pr(files, rules), false);
    expect(matched(blind.outcome)).toEqual([
      [
        '1: Failed rehearsal is High (rehearsalFailed unknown)',
        '1: Slow in rehearsal (rehearsalMs unknown)',
        '1: DDL on Test is Low',
      ],
      [
        '2: Failed rehearsal is High (rehearsalFailed unknown)',
        '2: Slow in rehearsal (rehearsalMs unknown)',
        '2: DDL on Test is Low',
      ],
    ]);
  });

  it('takes requireRollback per environment too, for that environment’s tasks; the stricter level holds', async () => {
    const environments = (testLevel: string) => `environments:
  - {id: test, title: Test, order: 1, rollout: automatic, requireRollback: ${testLevel}}
  - {id: prod, title: Prod, order: 2, rollout: manual, tag: "prod/*", rolloutRoles: [dba]}
databases:
  - {name: test_db, environment: test, urlEnv: TEST_DB_URL}
  - {name: test_db, environment: prod, urlEnv: PROD_DB_URL}
`;
    const column = '  - {id: test, title: Test, order: 1, rollout: automatic, requireRollback: '.length + 1;
    const migration = {
      'migrations/test_db/1.1.0_email.sql': 'ALTER TABLE t1 ADD COLUMN email VARCHAR(100);\n',
    };
    const run = async (testLevel: string, riskRules: string, files: Record<string, string> = migration) =>
      (await check(pr(files, riskRules, { 'policies/environments.yaml': environments(testLevel) }), false))
        .recorded;
    // Test's own `low` reaches its low task (Prod, high, has no requirement).
    expect(comment(await run('low', RISK_RULES))).toContain(
      `- ❌ migrations/test_db/1.1.0_email.sql is low risk and has no down file migrations/test_db/1.1.0_email.down.sql (requireRollback: low at policies/environments.yaml:2:${column})`,
    );
    // An environment cannot loosen risk-rules.yaml's level: its \`high\` leaves the global \`low\` in force.
    expect(comment(await run('high', `requireRollback: low\n${RISK_RULES}`))).toContain(
      '- ❌ migrations/test_db/1.1.0_email.sql is high risk and has no down file migrations/test_db/1.1.0_email.down.sql (requireRollback: low at policies/risk-rules.yaml:1:18)',
    );
    // Test's `high` alone: its task is low, so nothing is required.
    expect((await run('high', RISK_RULES)).statuses.at(-1)?.state).toBe('pending');
    const withDown = await run('low', RISK_RULES, {
      ...migration,
      'migrations/test_db/1.1.0_email.down.sql': 'ALTER TABLE t1 DROP COLUMN email;\n',
    });
    expect(withDown.statuses.at(-1)?.state).toBe('pending');
  });

  it('fails a PR whose migration needs a down file by requireRollback, naming the rule’s file:line', async () => {
    const { recorded } = await check(
      pr(
        { 'migrations/test_db/1.1.0_email.sql': 'ALTER TABLE t1 ADD COLUMN email VARCHAR(100);\n' },
        `requireRollback: high\n${RISK_RULES}`,
      ),
      false,
    );
    expect(recorded.statuses.at(-1)).toEqual({
      sha: expect.any(String),
      state: 'failure',
      description:
        'rehearsal failed: migrations/test_db/1.1.0_email.sql has no down file (requireRollback: high)',
    });
    expect(comment(recorded)).toContain(
      '- ❌ migrations/test_db/1.1.0_email.sql is high risk and has no down file migrations/test_db/1.1.0_email.down.sql (requireRollback: high at policies/risk-rules.yaml:1:18)',
    );
  });
});
