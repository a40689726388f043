// Rollout by tag: a pushed tag matching a manual environment's `tag` deploys it only when every
// condition holds; otherwise nothing runs and the reason is reported.
import { expandRole } from '../approval/members.js';
import type { TeamMembers } from '../approval/types.js';
import type { DatabaseTargets } from '../db/targets.js';
import type { MigrationFile } from '../deploy/types.js';
import { matchesGlob } from '../policy/glob.js';
import type { Environment, ManualEnvironment, Policy } from '../policy/types.js';
import type { MergedPrVerdict } from './merged-pr.js';
import { pendingReader } from './pending.js';

/** What every tag gate (rollout and rollback) judges: the tag, who pushed it, under which policies. */
export interface TaggedPush {
  readonly policy: Policy;
  readonly tag: string;
  readonly tagCommit: string;
  /** Whether the tag's commit is reachable from the default branch. */
  readonly onDefaultBranch: boolean;
  readonly defaultBranch: string;
  /** The event's authenticated sender, not the tag's self-declared tagger. */
  readonly sender: string;
  readonly teams: ReadonlyMap<string, TeamMembers>;
  readonly verify: (path: string, commit: string) => Promise<MergedPrVerdict>;
}

export interface TagGateInput extends TaggedPush {
  readonly root: string;
  readonly migrationsDir: string;
  readonly targets: DatabaseTargets;
}

export type TagGateResult =
  | {
      readonly ok: true;
      readonly environment: ManualEnvironment;
      readonly checks: readonly string[];
      /** For each migration to deploy, the verdict on the PR that brought it. */
      readonly verdicts: ReadonlyMap<string, MergedPrVerdict>;
    }
  | {
      readonly ok: false;
      readonly environment?: Environment;
      readonly condition: string;
      readonly reason: string;
      readonly checks: readonly string[];
    };

/** The manual environment a tag rolls out, if any. */
export function environmentForTag(policy: Policy, tag: string): ManualEnvironment | undefined {
  return policy.environments.find(
    (e): e is ManualEnvironment => e.rollout === 'manual' && matchesGlob(tag, e.tag),
  );
}

/** The rollout roles of `environment` that `sender` holds, or why they hold none. */
export function rolloutRolesOf(
  policy: Policy,
  environment: ManualEnvironment,
  sender: string,
  teams: ReadonlyMap<string, TeamMembers>,
):
  | { readonly ok: true; readonly roles: readonly string[] }
  | { readonly ok: false; readonly reason: string } {
  const login = sender.toLowerCase();
  const roles = environment.rolloutRoles.map((id) => ({
    id,
    ...expandRole(
      policy.roles.find((r) => r.id === id),
      teams,
    ),
  }));
  const allowed = roles.filter((r) => r.people.has(login)).map((r) => r.id);
  if (allowed.length > 0) return { ok: true, roles: allowed };
  // A team that could not be read may be why: name it and the permission the token lacks.
  const notes = [...new Set(roles.flatMap((r) => r.notes))];
  return {
    ok: false,
    reason: `${sender} pushed the tag but holds none of the rollout roles of ${environment.title} (${environment.rolloutRoles.join(', ')})${notes.map((n) => `; ${n}`).join('')}`,
  };
}

export async function checkTagRollout(input: TagGateInput): Promise<TagGateResult> {
  const { policy } = input;
  const environment = environmentForTag(policy, input.tag);
  const checks: string[] = [];
  const refuse = (condition: string, reason: string): TagGateResult => ({
    ok: false,
    ...(environment ? { environment } : {}),
    condition,
    reason,
    checks,
  });
  if (!environment) {
    const patterns = policy.environments.flatMap((e) =>
      e.rollout === 'manual' ? [`${e.id}: ${e.tag}`] : [],
    );
    return refuse(
      'tag',
      `tag ${input.tag} matches no manual environment's tag pattern (${patterns.join(', ') || 'none'})`,
    );
  }
  // (a) Only reviewed history may reach the environment.
  if (!input.onDefaultBranch) {
    return refuse(
      'default-branch',
      `the tag's commit ${input.tagCommit.slice(0, 7)} is not on ${input.defaultBranch}; tag a commit of ${input.defaultBranch}`,
    );
  }
  checks.push(`commit ${input.tagCommit.slice(0, 7)} is on ${input.defaultBranch}`);
  // (b) The person who pushed the tag, as GitHub authenticated them.
  const held = rolloutRolesOf(policy, environment, input.sender, input.teams);
  if (!held.ok) return refuse('sender', held.reason);
  const allowed = held.roles;
  checks.push(`${input.sender} holds ${allowed.join(', ')}`);

  const pendingOf = pendingReader(input);
  const pending = new Map<string, MigrationFile>();
  for (const database of policy.databases.filter((d) => d.environment === environment.id)) {
    const state = await pendingOf(database);
    if (!state.ok) return refuse('history', `${database.name} in ${environment.title}: ${state.reason}`);
    for (const file of state.files) pending.set(file.name.path, file);
  }
  // (c) Every migration about to run came from a PR whose flow was satisfied when it merged.
  const verdicts = new Map<string, MergedPrVerdict>();
  if (!environment.verifyApprovals && pending.size > 0)
    checks.push(`approvals not re-verified: ${environment.title} sets verifyApprovals: false`);
  for (const file of environment.verifyApprovals ? pending.values() : []) {
    const verdict = await input.verify(file.name.path, input.tagCommit);
    if (!verdict.ok) return refuse('approval', verdict.reason);
    verdicts.set(file.name.path, verdict);
    checks.push(`${file.name.path}: ${verdict.reason}`);
  }
  // (d) Earlier environments in rollout order already have it.
  const earlier = policy.environments.filter((e) => e.order < environment.order);
  for (const env of earlier) {
    for (const database of policy.databases.filter((d) => d.environment === env.id)) {
      const wanted = [...pending.values()].filter((f) => f.name.folder === database.migrations);
      if (wanted.length === 0) continue;
      if (!input.targets.has(database)) {
        // A secret of the earlier environment's GitHub environment is invisible to this job; the
        // fix is where the secret is stored, so the message names it.
        const variable = database.urlEnv;
        return refuse(
          'order',
          `cannot verify that ${env.title} has the migrations: ${variable} is not set in this job. ` +
            `The ${environment.title} rollout reads ${env.title}'s history table to check rollout order, so give this job ` +
            `${variable} too (env: ${variable}: \${{ secrets.${variable} }}), stored as a repository secret or a secret of ` +
            `the ${environment.id} environment: a secret of the ${env.id} environment alone is not visible here (see README.md#secrets)`,
        );
      }
      const state = await pendingOf(database);
      const missing = state.ok
        ? state.files.filter((f) => wanted.some((w) => w.name.path === f.name.path))
        : [];
      if (!state.ok || missing.length > 0) {
        const what = state.ok ? missing.map((m) => m.name.path).join(', ') : state.reason;
        return refuse(
          'order',
          `${env.title} (${database.name}) does not have ${what} yet; ${env.title} comes first in rollout order`,
        );
      }
    }
    checks.push(`${env.title} already has every pending migration`);
  }
  if (pending.size === 0) checks.push(`${environment.title} is already up to date`);
  return { ok: true, environment, checks, verdicts };
}
