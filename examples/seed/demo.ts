// `npm run demo`: the seed scenario, locally and offline. Builds the example repository, shows
// the plan and the flow of the example PR, the approval state after each simulated review,
// the what-if of a policy edit, then (with MariaDB's mariadbd installed) deploys to throwaway Test and Prod servers.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MariaDbServer } from '../../test/support/mariadb.js';
import { makeSeedRepo } from './make-repo.mjs';

const bin = fileURLToPath(new URL('../../bin/sqlgate.js', import.meta.url));
const dir = makeSeedRepo();
const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' }).trim();
const title = (text: string) => console.log(`\n\x1b[1m== ${text}\x1b[0m`);
function sqlgate(args: string[], env: Record<string, string> = {}): void {
  console.log(`$ sqlgate ${args.join(' ')}`);
  try {
    execFileSync(process.execPath, [bin, ...args], { cwd: dir, stdio: 'inherit', env: { ...process.env, ...env } });
  } catch {
    // The exit code is part of the story (e.g. a refused deploy); the output already says why.
  }
}

const servers: MariaDbServer[] = [];
try {
  title('The example pull request: add an email column to t1 (branch feature)');
  sqlgate(['plan', '--base', 'main']);

  title('Approvals, one simulated review at a time (devon wrote the PR)');
  const head = git('rev-parse', 'HEAD');
  const reviews: object[] = [];
  const reviewsFile = join(dir, '.reviews.json');
  let minute = 0;
  for (const [who, note] of [
    ['dana', 'the DBA approves first: too early in a strict flow'],
    ['devon', 'the author approves his own PR: never counts'],
    ['tom', 'the Tester approves'],
    ['olivia', 'the Project Owner approves'],
    ['dana', 'the DBA approves again, now in order'],
  ] as const) {
    minute++;
    reviews.push({ id: minute, user: { login: who }, state: 'APPROVED', submitted_at: `2026-11-25T10:${String(minute).padStart(2, '0')}:00Z`, commit_id: head });
    writeFileSync(reviewsFile, JSON.stringify(reviews));
    console.log(`\n-- ${who} approves (${note})`);
    const json = JSON.parse(
      execFileSync(process.execPath, [bin, 'plan', '--base', 'main', '--reviews', reviewsFile, '--author', 'devon', '--format', 'json'], { cwd: dir, encoding: 'utf8' }),
    ) as { approvals: { summary: string; satisfied: boolean; steps: { role: string; status: string; approvedBy: string[] }[]; notCounted: { login: string; explanation: string }[] }[] };
    for (const a of json.approvals) {
      console.log(`   sqlgate/approval: ${a.satisfied ? 'success' : 'pending'} — ${a.summary}`);
      console.log(`   steps: ${a.steps.map((s) => `${s.role} ${s.status}${s.approvedBy.length ? ` (${s.approvedBy.join(', ')})` : ''}`).join(' → ')}`);
      for (const n of a.notCounted) console.log(`   not counted: ${n.login}: ${n.explanation}`);
    }
  }
  rmSync(reviewsFile);

  title('Merge, then deploy: Test automatically, Prod by an authorised tag');
  git('checkout', '-q', 'main');
  git('merge', '-q', '--no-ff', '-m', 'Merge pull request #1 from acme/feature\n\nAdd an email column to t1', 'feature');

  title('A policy edit, before it merges: what would it have changed, and do the policy tests pass?');
  git('checkout', '-q', '-b', 'lower-risk');
  const rules = join(dir, 'policies', 'risk-rules.yaml');
  const lowered = readFileSync(rules, 'utf8').replace(/level: high/g, 'level: moderate');
  writeFileSync(rules, lowered);
  console.log('policies/risk-rules.yaml: every rule at level high is lowered to moderate (not committed yet)');
  sqlgate(['whatif']);
  if (existsSync(join(dir, 'policies', 'tests'))) sqlgate(['test']);
  git('checkout', '-q', '--', 'policies');
  git('checkout', '-q', 'main');

  let mariadbd = true;
  try {
    servers.push(await MariaDbServer.start(), await MariaDbServer.start());
  } catch (error) {
    mariadbd = false;
    console.log(`Skipping the deploy part: ${(error as Error).message.split('\n')[0]}`);
  }
  if (mariadbd) {
    const [test, prod] = servers as [MariaDbServer, MariaDbServer];
    for (const s of servers) await s.query('CREATE DATABASE test_db');
    const env = { TEST_DB_URL: test.url, PROD_DB_URL: prod.url };
    console.log(`Test is a throwaway MariaDB on port ${test.port}, Prod on port ${prod.port}.`);
    sqlgate(['deploy', '--env', 'test'], env);
    sqlgate(['status', '--env', 'test'], env);
    console.log('\nIn GitHub, Prod rolls out when an owner or DBA pushes a tag matching prod/* and the');
    console.log("Action has checked the tag's commit, the sender's role and each migration's approved PR.");
    console.log('Here, the operator path: a dry run first, then the deploy.');
    sqlgate(['deploy', '--env', 'prod', '--dry-run'], env);
    sqlgate(['deploy', '--env', 'prod'], env);
    sqlgate(['status', '--env', 'prod'], env);
  }
} finally {
  for (const s of servers) await s.stop();
  rmSync(dir, { recursive: true, force: true });
  title('Cleaned up: the example repository and the throwaway servers are gone');
}
