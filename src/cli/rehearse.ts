// `sqlgate rehearse`: the PR's migrations on a throwaway schema, after the base branch's, with the
// deploy engine; against --url, or a throwaway MariaDB server started for the purpose.
import { canStartMariaDb, MariaDbServer } from '../db/mariadb-server.js';
import { parseDatabaseUrl } from '../db/url.js';
import { InputError } from '../errors.js';
import { GitRepo } from '../git/repo.js';
import { sharedParser } from '../parser/pool.js';
import { planChange } from '../plan/plan.js';
import { rehearsalForPlan } from '../rehearsal/for-plan.js';
import { missingRollbacks } from '../rehearsal/require-rollback.js';
import { downFilesAt } from '../rehearsal/subjects.js';
import { rehearsalText } from '../report/rehearsal.js';
import { whoDeploys } from './deploy.js';
import type { CliIo } from './io.js';

export interface RehearseCliOptions {
  readonly base: string;
  readonly policies: string;
  readonly migrations: string;
  readonly url?: string;
  readonly format: string;
  readonly keep: boolean;
}

export async function runRehearse(io: CliIo, o: RehearseCliOptions): Promise<number> {
  if (o.format !== 'text' && o.format !== 'json')
    throw new InputError(`--format must be text or json, not "${o.format}"`);
  const repo = new GitRepo(io.cwd);
  if (!(await repo.isRepository()))
    throw new InputError(`${io.cwd} is not a git repository; run sqlgate rehearse in your repository's root`);
  if (!o.url && !canStartMariaDb())
    throw new InputError(
      'rehearse needs a server: pass --url mysql://user:password@host:3306/ (a server it may create and drop schemas on), or install mariadb-server so it can start a throwaway one',
    );
  const target = o.url ? parseDatabaseUrl('--url', o.url) : undefined;
  const migrationsDir = o.migrations.replace(/\/+$/, '');
  let server: MariaDbServer | undefined;
  try {
    const rehearsal = rehearsalForPlan({
      repo,
      base: o.base,
      head: 'HEAD',
      migrationsDir,
      target: async () => {
        if (target) return target;
        server = await MariaDbServer.start({ durable: false });
        io.err(`started a throwaway MariaDB server on port ${server.port}`);
        return parseDatabaseUrl('--url', server.url);
      },
      appliedBy: whoDeploys(io.env),
      keep: o.keep,
      ...(o.format === 'text' ? { progress: (line: string) => io.err(line) } : {}),
    });
    const plan = await planChange({
      repo,
      base: o.base,
      policiesDir: o.policies.replace(/\/+$/, ''),
      migrationsDir,
      parser: sharedParser(),
      estimates: rehearsal.estimates,
    });
    const report = rehearsal.report();
    if (!report || plan.migrations.length === 0) {
      io.out(
        o.format === 'json'
          ? JSON.stringify({ version: 1, state: 'passed', databases: [] })
          : 'no migrations to rehearse',
      );
      return 0;
    }
    const downs = await downFilesAt(repo, plan.head.commit, migrationsDir);
    const missing = missingRollbacks(plan.policy, plan.risk.tasks, new Set(downs.keys()));
    const state = missing.length > 0 ? 'failed' : report.state;
    if (o.format === 'json')
      io.out(JSON.stringify({ version: 1, ...report, state, missingRollbacks: missing }, null, 2));
    else for (const line of rehearsalText(report, missing)) io.out(line);
    return state === 'passed' ? 0 : 1;
  } finally {
    await server?.stop();
  }
}
