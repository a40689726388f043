// Rollback by tag: `rollback/<env>/<version>` runs the down files of every version above
// <version> in <env> (what `sqlgate rollback --env <env> --to <version>` does), gated like a
// rollout: the tag's commit is on the default branch, its pusher holds one of the environment's
// rollout roles, <version> is applied there, every version above it is fully applied and has its
// down file, and each of those down files came from a merged PR whose flow was satisfied.
import { type HistoryRow, type MigrationFile, versionKey } from '../deploy/types.js';
import type { Database, ManualEnvironment } from '../policy/types.js';
import { planRollback } from '../rollback/rollback.js';
import { parseMigrationName } from '../sql/migration-name.js';
import { rolloutRolesOf, type TaggedPush } from './gate.js';

export const ROLLBACK_TAG_PREFIX = 'rollback/';

/** Whether a pushed tag asks for a rollback rather than a rollout. */
export function isRollbackTag(tag: string): boolean {
  return tag.startsWith(ROLLBACK_TAG_PREFIX);
}

/** `rollback/<env>/<version>` → the environment id and the version's history key, or why not. */
export function parseRollbackTag(
  tag: string,
): { ok: true; environment: string; version: string; toKey: string } | { ok: false; reason: string } {
  const rest = tag.slice(ROLLBACK_TAG_PREFIX.length);
  const slash = rest.indexOf('/');
  const environment = slash > 0 ? rest.slice(0, slash) : '';
  const version = slash > 0 ? rest.slice(slash + 1) : '';
  const expected = 'expected rollback/<environment>/<version>, e.g. rollback/prod/1.2.0';
  if (!environment || !version) return { ok: false, reason: `tag ${tag} is not a rollback tag: ${expected}` };
  // Parsed as a migration name would be, so V2, 2 and 2.0 name the same version.
  const parsed = parseMigrationName(`m/x/${version}_x.sql`, 'm');
  // The version must be the whole rest of the tag: `1.2.0_x` would parse as 1.2.0 described "x x".
  if ('format' in parsed || parsed.description !== 'x')
    return { ok: false, reason: `tag ${tag}: "${version}" is not a migration version; ${expected}` };
  return { ok: true, environment, version, toKey: versionKey(parsed.parts) };
}

export interface RollbackGateInput extends TaggedPush {
  /** A database's history as it is (null: nothing was ever deployed there). */
  readonly historyOf: (database: Database) => Promise<readonly HistoryRow[] | null>;
  /** The migrations of a database's folder and their down files (by the migration's path), in the checkout. */
  readonly filesOf: (database: Database) => {
    readonly files: readonly MigrationFile[];
    readonly downs: ReadonlyMap<string, MigrationFile>;
  };
}

export type RollbackGateResult =
  | {
      readonly ok: true;
      readonly environment: ManualEnvironment;
      readonly toKey: string;
      /** The down files checked: only these may run (a version deployed since is refused, not rolled back unverified). */
      readonly verified: ReadonlySet<string>;
      readonly checks: readonly string[];
    }
  | {
      readonly ok: false;
      readonly condition: string;
      readonly reason: string;
      readonly checks: readonly string[];
    };

export async function checkRollbackTag(input: RollbackGateInput): Promise<RollbackGateResult> {
  const { policy } = input;
  const checks: string[] = [];
  const refuse = (condition: string, reason: string): RollbackGateResult => ({
    ok: false,
    condition,
    reason,
    checks,
  });
  const tag = parseRollbackTag(input.tag);
  if (!tag.ok) return refuse('tag', tag.reason);
  const environment = policy.environments.find((e) => e.id === tag.environment);
  if (!environment)
    return refuse(
      'tag',
      `tag ${input.tag} names environment ${tag.environment}, which environments.yaml does not define (${policy.environments.map((e) => e.id).join(', ')})`,
    );
  // Who may roll back is who may roll out; an automatic environment names nobody.
  if (environment.rollout !== 'manual')
    return refuse(
      'sender',
      `${environment.title} rolls out automatically and names no rolloutRoles, so nobody may roll it back by tag; run sqlgate rollback --env ${environment.id} --to ${tag.version} where its URL is available`,
    );
  // The down files that run come from the checkout of the tag: only reviewed history may run.
  if (!input.onDefaultBranch)
    return refuse(
      'default-branch',
      `the tag's commit ${input.tagCommit.slice(0, 7)} is not on ${input.defaultBranch}; tag a commit of ${input.defaultBranch}`,
    );
  checks.push(`commit ${input.tagCommit.slice(0, 7)} is on ${input.defaultBranch}`);
  const held = rolloutRolesOf(policy, environment, input.sender, input.teams);
  if (!held.ok) return refuse('sender', held.reason);
  checks.push(`${input.sender} holds ${held.roles.join(', ')}`);

  const downs = new Map<string, MigrationFile>();
  for (const database of policy.databases.filter((d) => d.environment === environment.id)) {
    const where = `${database.name} in ${environment.title}`;
    const rows = (await input.historyOf(database)) ?? [];
    if (!rows.some((r) => r.versionKey === tag.toKey && r.status === 'success'))
      return refuse(
        'version',
        `version ${tag.version} is not applied in ${where}, so there is nothing to roll back to`,
      );
    const { files, downs: available } = input.filesOf(database);
    // Without backups: by tag, every version needs its reviewed down file (rows backed up by
    // backupDml are restored too, before it runs).
    const plan = planRollback(rows, tag.toKey, files, available);
    if (!plan.ok) return refuse('history', `${where}: ${plan.reason}`);
    const run = plan.steps.flatMap((s) => (s.down ? [s.down] : []));
    for (const down of run) downs.set(down.name.path, down);
    checks.push(
      run.length === 0
        ? `${where}: nothing above ${tag.version} is applied`
        : `${where}: will run ${run.map((d) => d.name.path).join(', ')}`,
    );
  }
  // Each down file is SQL that runs on the environment: it must have been reviewed like a migration.
  for (const path of downs.keys()) {
    const verdict = await input.verify(path, input.tagCommit);
    if (!verdict.ok) return refuse('approval', verdict.reason);
    checks.push(`${path}: ${verdict.reason}`);
  }
  return { ok: true, environment, toKey: tag.toKey, verified: new Set(downs.keys()), checks };
}
