// A PR with 300 migration files and 60 reviews, checked against GitHub stubbed with nock:
// API requests made and wall time, against `plan` on the same files locally.
import nock from 'nock';
import { runCheck } from '../src/check/check.js';
import { GitRepo } from '../src/git/repo.js';
import { createGitHub } from '../src/github/client.js';
import { ParserPool } from '../src/parser/pool.js';
import { planChange } from '../src/plan/plan.js';
import { TempRepo } from '../test/support/git-repo.js';
import { OWNER, REPO } from '../test/support/github-fixtures.js';
import { stubGitHub } from '../test/support/github-stub.js';
import { median, ms, report } from './measure.js';

export async function benchCheck(): Promise<void> {
  const repo = new TempRepo();
  repo.write({ 'migrations/test_db/1_init.sql': 'CREATE TABLE t0 (id INT);\n' });
  const base = repo.commit('init');
  const files: Record<string, string> = {};
  for (let i = 0; i < 300; i++) {
    files[`migrations/test_db/${100 + i}_change_${i}.sql`] =
      `ALTER TABLE t${i} ADD COLUMN c${i} INT NOT NULL DEFAULT 0;\nCREATE INDEX ix${i} ON t${i} (c${i});\nUPDATE t${i} SET c${i} = 1 WHERE id < ${i};\n`;
  }
  repo.write(files);
  const head = repo.commit('300 migrations');
  const reviewers = ['tom', 'olivia', 'dana', 'mallory', 'devon'];
  const reviews = Array.from({ length: 60 }, (_, i) => ({
    user: reviewers[i % reviewers.length] as string,
    state:
      i % 7 === 0
        ? ('CHANGES_REQUESTED' as const)
        : i % 3 === 0
          ? ('APPROVED' as const)
          : ('COMMENTED' as const),
    at: new Date(Date.UTC(2026, 10, 25, 9, i)).toISOString(),
    commit: head,
  }));
  const pool = new ParserPool();
  const git = new GitRepo(repo.dir);
  nock.disableNetConnect();
  const github = createGitHub({ token: 'ghs_bench', writeIntervalMs: 0 });
  let requests = 0;
  const check = async () => {
    nock.cleanAll();
    const recorded = stubGitHub({ files: Object.keys(files), reviews });
    await runCheck({
      repo: git,
      github,
      ref: { owner: OWNER, repo: REPO },
      pull: { number: 7, author: 'devon', baseSha: base, headSha: head, changedFiles: 300 },
      parser: pool,
      policiesDir: 'policies',
      migrationsDir: 'migrations',
    });
    requests = recorded.requests;
  };
  const plan = () => planChange({ repo: git, base, head, parser: pool });
  const runs = 7;
  const planTime = await median(runs, plan);
  const checkTime = await median(runs, check);
  await pool.close();
  nock.cleanAll();
  nock.enableNetConnect();
  repo.cleanup();
  report('PR check: 300 migration files, 60 reviews, GitHub stubbed with nock', [
    [
      'API requests per check',
      `${requests} (files: 3 pages, reviews: 1 page, comments: 1, comment write: 1, status: 1)`,
    ],
    ['sqlgate plan, same files, local (reference)', ms(planTime)],
    ['sqlgate check (plan + reviews + approvals + comment + status)', ms(checkTime)],
    ['ratio check / plan', `${(checkTime / planTime).toFixed(2)}x`],
  ]);
}

if (import.meta.url === `file://${process.argv[1]}`) await benchCheck();
