// A migration the deploy would refuse (it cannot be applied exactly once) fails the PR check and
// `sqlgate plan` before anyone approves it, naming the file, the line and why: otherwise it would
// pass the gate, be merged, and stop the deploy to Test.
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCheck } from '../../src/check/check.js';
import { GitRepo } from '../../src/git/repo.js';
import { createGitHub } from '../../src/github/client.js';
import { ParserPool } from '../../src/parser/pool.js';
import { cli } from '../support/cli.js';
import { TempRepo } from '../support/git-repo.js';
import { OWNER, REPO } from '../support/github-fixtures.js';
import { stubGitHub } from '../support/github-stub.js';

const pool = new ParserPool();
const repos: TempRepo[] = [];
beforeAll(() => nock.disableNetConnect());
afterEach(() => {
  nock.cleanAll();
  for (const r of repos.splice(0)) r.cleanup();
});
afterAll(async () => {
  nock.enableNetConnect();
  await pool.close();
});

const AUTOCOMMIT = 'migrations/test_db/1.0.1_data.sql';
const READ_LOCK = 'migrations/test_db/1.0.2_lock.sql';

/** A repository whose branch `feature` adds `files` to a base with one harmless migration. */
function branchAdding(files: Record<string, string>): { repo: TempRepo; base: string; head: string } {
  const repo = new TempRepo();
  repos.push(repo);
  repo.write({
    'migrations/test_db/1.0.0_init.sql': 'CREATE TABLE t1 (id INT PRIMARY KEY, name VARCHAR(20));\n',
  });
  const base = repo.commit('init');
  repo.git('checkout', '-q', '-b', 'feature');
  repo.write(files);
  const head = repo.commit('change');
  return { repo, base, head };
}

const REFUSED = {
  [AUTOCOMMIT]: "SET autocommit = 0;\nUPDATE t1 SET name = 'x';\n",
  [READ_LOCK]: 'FLUSH TABLES WITH READ LOCK;\n',
};

describe('a migration the deploy would refuse', () => {
  it('fails the PR check: the status says which file, line and why, the comment lists each one', async () => {
    const { repo, base, head } = branchAdding(REFUSED);
    const recorded = stubGitHub({ files: Object.keys(REFUSED), reviews: [] });
    await runCheck({
      repo: new GitRepo(repo.dir),
      github: createGitHub({ token: 'ghs_test', writeIntervalMs: 0 }),
      ref: { owner: OWNER, repo: REPO },
      pull: { number: 7, author: 'devon', baseSha: base, headSha: head, changedFiles: 2 },
      parser: pool,
      policiesDir: 'policies',
      migrationsDir: 'migrations',
    });
    expect(recorded.statuses).toHaveLength(1);
    expect(recorded.statuses[0]?.state).toBe('failure');
    expect(recorded.statuses[0]?.description).toMatch(
      /^the deploy would refuse 2 files, first migrations\/test_db\/1\.0\.1_data\.sql: line 1: changes autocommit/,
    );
    expect(recorded.statuses[0]?.description.length).toBeLessThanOrEqual(140);
    expect(recorded.comments[0]).toContain('### ❌ The deploy would refuse this');
    expect(recorded.comments[0]).toContain(
      `- \`${AUTOCOMMIT}\`: line 1: changes autocommit: with autocommit off`,
    );
    expect(recorded.comments[0]).toContain(`- \`${READ_LOCK}\`: line 1: takes the server's global read lock`);
  }, 60_000);

  it('fails `sqlgate plan` with a line for each, in every format', async () => {
    const { repo } = branchAdding(REFUSED);
    const text = await cli(['plan', '--base', 'main'], { cwd: repo.dir });
    expect(text.code).toBe(1);
    expect(text.stderr).toContain(`refused: ${AUTOCOMMIT}: line 1: changes autocommit`);
    expect(text.stderr).toContain(`refused: ${READ_LOCK}: line 1: takes the server's global read lock`);
    const json = await cli(['plan', '--base', 'main', '--format', 'json'], { cwd: repo.dir });
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout).deployRefusals).toEqual([
      expect.stringMatching(/^migrations\/test_db\/1\.0\.1_data\.sql: line 1: changes autocommit/),
      expect.stringMatching(
        /^migrations\/test_db\/1\.0\.2_lock\.sql: line 1: takes the server's global read lock/,
      ),
    ]);
  }, 60_000);

  it('a migration it would run passes the plan as before, with no refusal', async () => {
    const { repo } = branchAdding({
      [AUTOCOMMIT]: "START TRANSACTION;\nUPDATE t1 SET name = 'x';\nCOMMIT;\n",
    });
    const json = await cli(['plan', '--base', 'main', '--format', 'json'], { cwd: repo.dir });
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout).deployRefusals).toEqual([]);
  }, 60_000);
});
