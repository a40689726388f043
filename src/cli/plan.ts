import { estimateFromDatabases } from '../db/estimate.js';
import { targetsFromEnv } from '../db/targets.js';
import { InputError } from '../errors.js';
import { GitRepo } from '../git/repo.js';
import { refusalsOf } from '../online/plan-executions.js';
import { readTableShapes } from '../online/read-shapes.js';
import { sharedParser } from '../parser/pool.js';
import { planChange, refusalLine } from '../plan/plan.js';
import { approvalJson, approvalsText } from '../report/approvals.js';
import { planJson } from '../report/json.js';
import { commentMarkdown, planMarkdown } from '../report/markdown.js';
import { planText } from '../report/text.js';
import type { CliIo } from './io.js';
import { approvalsFromReviews, readReviewsFile } from './reviews-file.js';

export interface PlanCliOptions {
  readonly reviews?: string;
  readonly author?: string;
  readonly base: string;
  readonly policies: string;
  readonly migrations: string;
  readonly format: string;
  readonly estimate: boolean;
}

const FORMATS = ['text', 'json', 'markdown'];

export async function runPlan(io: CliIo, options: PlanCliOptions): Promise<number> {
  if (!FORMATS.includes(options.format)) {
    throw new InputError(`--format must be one of ${FORMATS.join(', ')}, not "${options.format}"`);
  }
  const repo = new GitRepo(io.cwd);
  if (!(await repo.isRepository()))
    throw new InputError(`${io.cwd} is not a git repository; run sqlgate plan in your repository's root`);
  const given = options.reviews ? readReviewsFile(io, options.reviews, options.author) : undefined;
  const plan = await planChange({
    repo,
    base: options.base,
    policiesDir: options.policies.replace(/\/+$/, ''),
    migrationsDir: options.migrations.replace(/\/+$/, ''),
    parser: sharedParser(),
    ...(options.estimate
      ? {
          estimates: (policy, migrations) =>
            estimateFromDatabases(policy, migrations, targetsFromEnv(io.env), (m) => io.err(m)),
          tableShapes: (policy, migrations) =>
            readTableShapes(policy, migrations, targetsFromEnv(io.env), (m) => io.err(m)),
        }
      : {}),
    onProgress: options.format === 'text' ? (m) => io.err(m) : undefined,
  });
  const approvals = given ? await approvalsFromReviews(repo, plan, given) : undefined;
  if (options.format === 'json')
    io.out(
      JSON.stringify(
        { ...planJson(plan), ...(approvals ? { approvals: approvals.map(approvalJson) } : {}) },
        null,
        2,
      ),
    );
  else if (options.format === 'markdown')
    io.out(approvals ? commentMarkdown({ plan, approvals }) : planMarkdown(plan));
  else io.out(planText(plan) + (approvals ? `\n${approvalsText(approvals)}` : ''));
  // A file the deploy would refuse, or a change the online tool cannot make, would fail at
  // deploy: say no now, before approval.
  const refusals = [...plan.deployRefusals.map(refusalLine), ...refusalsOf(plan.risk, plan.executions)];
  for (const line of refusals) io.err(`refused: ${line}`);
  return refusals.length > 0 ? 1 : 0;
}
