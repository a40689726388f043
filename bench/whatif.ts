// What-if replay of 2,000 landed migrations (1,000 squash-merged PRs and 1,000 merge commits of
// PRs) under the current and a proposed policy, against one `plan` over the same 2,000 files.
// Both read the files from git and analyse them with the same parser pool; the replay evaluates
// every file twice, but analyses each once (content-hash cache). Target: ≤ 1.3×.
import { execFileSync } from 'node:child_process';
import { commitPolicySource } from '../src/git/policy-source.js';
import { GitRepo } from '../src/git/repo.js';
import { ParserPool } from '../src/parser/pool.js';
import { planChange } from '../src/plan/plan.js';
import { loadPolicies } from '../src/policy/load.js';
import { loadPolicySource } from '../src/policy/source.js';
import { analysisCache } from '../src/whatif/analysis-cache.js';
import { landedMigrations } from '../src/whatif/history.js';
import { replayHistory } from '../src/whatif/replay.js';
import { TempRepo } from '../test/support/git-repo.js';
import { mixedCorpus } from './analysis.js';
import { median, ms, report } from './measure.js';

const FILES = 2000;

/** A repository whose main has 2,000 migrations landed one PR at a time, built with git fast-import. */
function history(): { repo: TempRepo; first: string } {
  const repo = new TempRepo();
  const first = repo.commit('Adopt sqlgate');
  const corpus = mixedCorpus(FILES * 3);
  const stream: string[] = [];
  let mark = 1;
  const blob = (text: string) => {
    const bytes = Buffer.byteLength(text);
    stream.push(`blob\nmark :${mark}\ndata ${bytes}\n${text}\n`);
    return mark++;
  };
  const commit = (
    branch: string,
    message: string,
    files: [string, number][],
    from: string,
    merge?: string,
  ) => {
    const m = mark++;
    stream.push(
      `commit refs/heads/${branch}\nmark :${m}\ncommitter Dev <dev@example.com> ${1_700_000_000 + m} +0000\ndata ${Buffer.byteLength(message)}\n${message}\nfrom ${from}\n${merge ? `merge ${merge}\n` : ''}${files.map(([p, b]) => `M 100644 :${b} ${p}\n`).join('')}`,
    );
    return `:${m}`;
  };
  let main = first;
  for (let i = 0; i < FILES; i++) {
    const path = `migrations/test_db/${i + 2}_change_${i}.sql`;
    const text = `${corpus.slice(i * 3, i * 3 + 3).join(';\n')};\n`;
    const b = blob(text);
    if (i % 2 === 0) {
      main = commit('main', `Change ${i} (#${i + 1})`, [[path, b]], main);
    } else {
      const branch = commit(`pr-${i}`, `change ${i}`, [[path, b]], main);
      main = commit(
        'main',
        `Merge pull request #${i + 1} from acme/pr-${i}\n\nChange ${i}`,
        [],
        main,
        branch,
      );
    }
  }
  execFileSync('git', ['fast-import', '--quiet', '--force'], { cwd: repo.dir, input: stream.join('') });
  repo.git('reset', '-q', '--hard', 'main');
  return { repo, first };
}

export async function benchWhatIf(): Promise<void> {
  const { repo, first } = history();
  const git = new GitRepo(repo.dir);
  const pool = new ParserPool();
  const tip = await git.resolve('main');
  const current = loadPolicySource(await commitPolicySource(git, tip, 'policies', 'main'));
  const proposedLoad = loadPolicies(
    {
      roles: repo.git('show', 'main:policies/roles.yaml'),
      environments: repo.git('show', 'main:policies/environments.yaml'),
      approval: repo.git('show', 'main:policies/approval-flows.yaml'),
      risk: 'rules:\n  - {title: DDL on Prod is Moderate, source: ddl, level: moderate, when: {environment: prod}}\n',
    },
    'policies',
  );
  if (!proposedLoad.ok) throw new Error('proposed policies do not load');
  const proposed = proposedLoad.policy;
  let changed = 0;
  const runs = 3;
  const plan = await median(runs, () =>
    planChange({ repo: git, base: first, head: tip, parser: pool, policiesDir: 'policies' }),
  );
  const whatif = await median(runs, async () => {
    const landed = await landedMigrations(git, tip, 'migrations');
    const result = await replayHistory({
      changes: landed.changes,
      current,
      proposed,
      analyse: analysisCache(pool).analyse,
      migrationsDir: 'migrations',
    });
    changed = result.changed.length;
  });
  await pool.close();
  repo.cleanup();
  report(
    `what-if replay: ${FILES} landed migrations (1,000 squash merges, 1,000 merge commits), two policies`,
    [
      ['`plan` over the same 2,000 files, one policy (reference)', ms(plan)],
      ['`whatif`: git history + replay under current and proposed', `${ms(whatif)}  (${changed} PRs change)`],
      ['ratio whatif / plan', `${(whatif / plan).toFixed(2)}x (target ≤ 1.3x)`],
    ],
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await benchWhatIf();
