// What a deploy from the Action knows: the checkout, the databases' environment, GitHub, and
// where to say what happens. Deploy on push and rollout by tag both take it.

import type { DatabaseTargets } from '../db/targets.js';
import type { DatabaseReport } from '../deploy/apply.js';
import type { EnvironmentDeployInput } from '../deploy/fleet.js';
import type { GitRepo } from '../git/repo.js';
import type { GitHub } from '../github/client.js';
import type { RepoRef } from '../github/reads.js';
import type { Policy } from '../policy/types.js';
import type { RollbackReport } from '../rollback/rollback.js';
import type { StatementParser } from '../sql/analyse.js';

export interface RolloutContext {
  /** The checkout: its migrations are what gets deployed. */
  readonly workspace: string;
  readonly repo: GitRepo;
  readonly policiesDir: string;
  readonly migrationsDir: string;
  readonly targets: DatabaseTargets;
  readonly concurrency: number;
  readonly dryRun: boolean;
  /** Seconds a deploy waits for another deploy's per-database lock (input lock-timeout). */
  readonly lockTimeoutSeconds: number;
  readonly shard?: string;
  /** The commit the workflow runs on, recorded in the history. */
  readonly gitSha: string | null;
  readonly github: GitHub;
  readonly ref: RepoRef;
  readonly parser: StatementParser;
  readonly log: (line: string) => void;
  readonly warn: (line: string) => void;
  /** A cancel of the workflow run: the running statement is stopped and recorded, nothing more starts. */
  readonly signal?: AbortSignal;
}

/** What a deploy did, for the Action to render: each database's report, or why it was refused. */
export interface RolloutReport {
  readonly reports: readonly DatabaseReport[];
  /** A rollback tag's work instead: each database's rollback. */
  readonly rollbacks?: readonly RollbackReport[];
  /** The rollout conditions that held, in the order they were checked. */
  readonly checks: readonly string[];
  readonly refused?: { readonly condition: string; readonly reason: string };
}

/** The deploy engine's input shared by every environment of one deploy. */
export function deployInputOf(
  ctx: RolloutContext,
  policy: Policy,
  sender: string,
): Omit<EnvironmentDeployInput, 'environment'> {
  return {
    policy,
    root: ctx.workspace,
    migrationsDir: ctx.migrationsDir,
    targets: ctx.targets,
    concurrency: ctx.concurrency,
    dryRun: ctx.dryRun,
    lockTimeoutSeconds: ctx.lockTimeoutSeconds,
    appliedBy: sender || 'github-actions',
    gitSha: ctx.gitSha,
    log: ctx.log,
    ...(ctx.shard ? { shard: ctx.shard } : {}),
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    parser: ctx.parser,
  };
}
