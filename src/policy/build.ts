// Turns schema-valid YAML values into the typed policy, checking what a schema cannot express:
// references between files, duplicates, and values that must name something that exists.
import type { Diagnostic } from '../errors.js';
import {
  ALTER_OPERATIONS,
  ONLINE_DDL_CLASSES,
  STATEMENT_TYPE_ALIASES,
  STATEMENT_TYPE_NAMES,
} from '../sql/statement-types.js';
import { isGlob, matchesGlob } from './glob.js';
import { didYouMean } from './suggest.js';
import {
  type ApprovalFlow,
  type ApprovalPolicy,
  type Assignment,
  BUILTIN_ROLES,
  type Condition,
  type Database,
  type Environment,
  type FlowStep,
  type Matcher,
  type OnlineSchemaChangePolicy,
  type RiskPolicy,
  type RiskRule,
  type Role,
  type RuleLevel,
  type SourceLocation,
} from './types.js';
import { at, type PathSegment, type YamlSource } from './yaml-source.js';

// biome-ignore lint/suspicious/noExplicitAny: values here have already passed the JSON Schema.
export type Raw = any;
type Loaded = { source: YamlSource; value: Raw } | undefined;

const BUILTIN_TITLES: Record<(typeof BUILTIN_ROLES)[number], string> = {
  'workspace-owner': 'Workspace Owner',
  dba: 'DBA',
  'project-owner': 'Project Owner',
  developer: 'Developer',
};

export const DEFAULT_POLICY_CHANGE_FLOW: ApprovalFlow = {
  id: 'policy-change',
  title: 'Workspace Owner approves policy changes',
  steps: [{ role: 'workspace-owner', count: 1 }],
  order: 'strict',
  allowSamePersonInSteps: false,
  blockOnChangesRequested: true,
};

function duplicateCheck<T>(
  items: readonly T[],
  keyOf: (item: T) => string,
  report: (item: T, index: number, firstIndex: number) => void,
): void {
  const first = new Map<string, number>();
  items.forEach((item, index) => {
    const key = keyOf(item);
    const earlier = first.get(key);
    if (earlier === undefined) first.set(key, index);
    else report(item, index, earlier);
  });
}

export function buildRoles(loaded: Loaded, errors: Diagnostic[]): Role[] {
  const declared: Raw[] = loaded?.value.roles ?? [];
  const roles: Role[] = [];
  if (loaded) {
    duplicateCheck(
      declared,
      (r) => r.id,
      (r, i, first) =>
        errors.push(
          at(
            loaded.source,
            ['roles', i, 'id'],
            `role "${r.id}" is declared twice (first as item ${first + 1})`,
          ),
        ),
    );
  }
  declared.forEach((raw, i) => {
    const builtin = (BUILTIN_ROLES as readonly string[]).includes(raw.id);
    if (!builtin && raw.title === undefined && loaded) {
      errors.push(
        at(
          loaded.source,
          ['roles', i],
          `custom role "${raw.id}" needs a title (the name shown in PR comments)`,
        ),
      );
    }
    roles.push({
      id: raw.id,
      title: raw.title ?? BUILTIN_TITLES[raw.id as keyof typeof BUILTIN_TITLES] ?? raw.id,
      ...(raw.description !== undefined ? { description: raw.description } : {}),
      builtin,
      members: [...new Set<string>(raw.members ?? [])],
    });
  });
  for (const id of BUILTIN_ROLES) {
    if (!roles.some((r) => r.id === id))
      roles.push({ id, title: BUILTIN_TITLES[id], builtin: true, members: [] });
  }
  return roles;
}

function unknownRole(id: string, roles: readonly Role[]): string {
  const known = [...new Set(roles.map((r) => r.id))];
  return `"${id}" is not a role; ${didYouMean(id, known)}known roles: ${known.join(', ')}`;
}

interface EnvironmentsBuild {
  environments: Environment[];
  databases: Database[];
  /** Every id declared, including environments that failed their own checks. */
  declaredIds: string[];
}

export function buildEnvironments(
  loaded: Loaded,
  roles: readonly Role[],
  errors: Diagnostic[],
  warnings: Diagnostic[] = [],
): EnvironmentsBuild {
  if (!loaded) return { environments: [], databases: [], declaredIds: [] };
  const { source, value } = loaded;
  const rawEnvs: Raw[] = value.environments;
  const roleIds = new Set(roles.map((r) => r.id));

  duplicateCheck(
    rawEnvs,
    (e) => e.id,
    (e, i, first) =>
      errors.push(
        at(
          source,
          ['environments', i, 'id'],
          `environment "${e.id}" is declared twice (first as item ${first + 1})`,
        ),
      ),
  );
  duplicateCheck(
    rawEnvs,
    (e) => String(e.order),
    (e, i, first) =>
      errors.push(
        at(
          source,
          ['environments', i, 'order'],
          `environment "${e.id}" has the same order (${e.order}) as item ${first + 1}; rollout order must be unambiguous`,
        ),
      ),
  );

  const environments: Environment[] = [];
  rawEnvs.forEach((raw, i) => {
    const base = {
      id: raw.id as string,
      title: (raw.title as string | undefined) ?? raw.id,
      order: raw.order as number,
      lockWaitTimeout: (raw.lockWaitTimeout as number | undefined) ?? 5,
      verifyApprovals: (raw.verifyApprovals as boolean | undefined) ?? true,
      ...(raw.requireRollback
        ? {
            requireRollback: {
              level: raw.requireRollback as RuleLevel,
              at: sourceLocation(at(source, ['environments', i, 'requireRollback'], '')),
            },
          }
        : {}),
    };
    if (!base.verifyApprovals) {
      warnings.push(
        at(
          source,
          ['environments', i, 'verifyApprovals'],
          `environment "${base.id}" sets verifyApprovals: false, so its deploys do not check that each migration came from an approved, merged pull request; a forged status or a direct push to the default branch reaches ${base.title} unreviewed`,
        ),
      );
    }
    if (raw.rollout === 'automatic') {
      for (const key of ['tag', 'rolloutRoles']) {
        if (raw[key] !== undefined) {
          errors.push(
            at(
              source,
              ['environments', i, key],
              `"${key}" only applies to manual rollout; environment "${raw.id}" is rolled out automatically on merge`,
              { key: true },
            ),
          );
        }
      }
      environments.push({ ...base, rollout: 'automatic' });
      return;
    }
    for (const key of ['tag', 'rolloutRoles']) {
      if (raw[key] === undefined) {
        errors.push(
          at(
            source,
            ['environments', i],
            `environment "${raw.id}" has manual rollout and needs "${key}" (${key === 'tag' ? 'the tag glob that rolls it out, e.g. prod/*' : 'the roles allowed to push that tag'})`,
          ),
        );
      }
    }
    const rolloutRoles: string[] = raw.rolloutRoles ?? [];
    rolloutRoles.forEach((role, j) => {
      if (!roleIds.has(role)) {
        errors.push(
          at(source, ['environments', i, 'rolloutRoles', j], `rollout role ${unknownRole(role, roles)}`),
        );
      }
    });
    if (raw.tag !== undefined && rolloutRoles.length > 0) {
      environments.push({
        ...base,
        rollout: 'manual',
        tag: raw.tag,
        rolloutRoles: rolloutRoles as [string, ...string[]],
      });
    }
  });

  const envIds = new Set(rawEnvs.map((e) => e.id as string));
  const rawDbs: Raw[] = value.databases;
  duplicateCheck(
    rawDbs,
    (d) => `${d.name}@${d.environment}`,
    (d, i, first) =>
      errors.push(
        at(
          source,
          ['databases', i, 'name'],
          `database "${d.name}" is listed twice in environment "${d.environment}" (first as item ${first + 1})`,
        ),
      ),
  );
  const databases: Database[] = [];
  rawDbs.forEach((raw, i) => {
    if (!envIds.has(raw.environment)) {
      errors.push(
        at(
          source,
          ['databases', i, 'environment'],
          `environment "${raw.environment}" of database "${raw.name}" does not exist; known environments: ${[...envIds].join(', ')}`,
        ),
      );
    }
    databases.push({
      name: raw.name,
      environment: raw.environment,
      urlEnv: raw.urlEnv,
      migrations: raw.migrations ?? raw.name,
      create: raw.create ?? false,
    });
  });
  environments.sort((a, b) => a.order - b.order);
  return { environments, databases, declaredIds: [...envIds] };
}

export function buildApproval(
  loaded: Loaded,
  roles: readonly Role[],
  errors: Diagnostic[],
  warnings: Diagnostic[] = [],
): ApprovalPolicy {
  const empty: ApprovalPolicy = {
    flows: [],
    assignments: [],
    staleApprovals: 'on-sql-change',
    policyChangeFlow: DEFAULT_POLICY_CHANGE_FLOW,
  };
  if (!loaded) return empty;
  const { source, value } = loaded;
  const rawFlows: Raw[] = value.flows ?? [];
  const roleById = new Map(roles.map((r) => [r.id, r]));

  duplicateCheck(
    rawFlows,
    (f) => f.id,
    (f, i, first) =>
      errors.push(
        at(source, ['flows', i, 'id'], `flow "${f.id}" is declared twice (first as item ${first + 1})`),
      ),
  );

  const flows: ApprovalFlow[] = [];
  rawFlows.forEach((raw, i) => {
    const steps: FlowStep[] = (raw.steps as Raw[]).map((s) =>
      typeof s === 'string' ? { role: s, count: 1 } : { role: s.role, count: s.count ?? 1 },
    );
    if (steps.length === 0) {
      errors.push(
        at(
          source,
          ['flows', i, 'steps'],
          `flow "${raw.id}" has no steps; list at least one role (e.g. steps: [dba])`,
        ),
      );
      return;
    }
    steps.forEach((step, j) => {
      const stepPath: PathSegment[] =
        typeof raw.steps[j] === 'string' ? ['flows', i, 'steps', j] : ['flows', i, 'steps', j, 'role'];
      const role = roleById.get(step.role);
      if (!role) {
        errors.push(at(source, stepPath, `step ${unknownRole(step.role, roles)}`));
        return;
      }
      // Teams can hold any number of people, so only a role made of plain logins can be counted.
      const onlyLogins = role.members.every((m) => !m.includes('/'));
      // A role with no members is allowed (a team may fill it later) and fails closed at approval
      // time; said here, so a flow that can never pass is not found out on a pull request.
      if (role.members.length === 0) {
        warnings.push(
          at(
            source,
            stepPath,
            `role "${role.id}" has no members, so step ${j + 1} of flow "${raw.id}" can never be approved; add members to it in roles.yaml`,
          ),
        );
      }
      if (onlyLogins && role.members.length > 0 && step.count > role.members.length) {
        errors.push(
          at(
            source,
            typeof raw.steps[j] === 'string' ? stepPath : ['flows', i, 'steps', j, 'count'],
            `step needs ${step.count} approvals from role "${role.id}", which lists only ${role.members.length} member${role.members.length === 1 ? '' : 's'}`,
          ),
        );
      }
    });
    const where = at(source, ['flows', i], '');
    flows.push({
      id: raw.id,
      title: raw.title,
      steps: steps as [FlowStep, ...FlowStep[]],
      order: raw.order ?? 'strict',
      allowSamePersonInSteps: raw.allowSamePersonInSteps ?? false,
      blockOnChangesRequested: raw.blockOnChangesRequested ?? true,
      at: { file: where.file, line: where.line, column: where.column },
    });
  });

  const flowIds = new Set(rawFlows.map((f) => f.id as string));
  const unknownFlow = (id: string) =>
    `flow "${id}" does not exist; ${didYouMean(id, [...flowIds])}known flows: ${flowIds.size > 0 ? [...flowIds].join(', ') : '(none declared)'}`;
  const rawAssignments: Raw[] = value.assignments ?? [];
  duplicateCheck(
    rawAssignments,
    (a) => `${a.source}/${a.level}`,
    (a, i, first) =>
      errors.push(
        at(
          source,
          ['assignments', i],
          `(${a.source}, ${a.level}) is assigned twice (first as item ${first + 1}); each source and level needs exactly one flow`,
        ),
      ),
  );
  const assignments: Assignment[] = [];
  rawAssignments.forEach((raw, i) => {
    if (!flowIds.has(raw.flow)) errors.push(at(source, ['assignments', i, 'flow'], unknownFlow(raw.flow)));
    assignments.push({ source: raw.source, level: raw.level as RuleLevel, flow: raw.flow });
  });

  let policyChangeFlow = DEFAULT_POLICY_CHANGE_FLOW;
  if (value.policyChanges) {
    const found = flows.find((f) => f.id === value.policyChanges.flow);
    if (found) policyChangeFlow = found;
    else if (!flowIds.has(value.policyChanges.flow)) {
      errors.push(at(source, ['policyChanges', 'flow'], unknownFlow(value.policyChanges.flow)));
    }
  }
  return { flows, assignments, staleApprovals: value.staleApprovals ?? 'on-sql-change', policyChangeFlow };
}

const COMBINATORS = new Set(['all', 'any', 'not']);

type Vocabularies = Record<string, { name: string; known: readonly string[] }>;

function conditionVocabularies(envs: EnvironmentsBuild): Vocabularies {
  return {
    statementType: { name: 'statement type', known: STATEMENT_TYPE_NAMES },
    operation: { name: 'ALTER TABLE operation', known: ALTER_OPERATIONS },
    onlineDdl: { name: 'online DDL class', known: ONLINE_DDL_CLASSES },
    environment: { name: 'environment', known: envs.declaredIds },
    database: { name: 'database', known: [...new Set(envs.databases.map((d) => d.name))] },
  };
}

/** Builds the conditions of one file, reporting values that name nothing (a typo in a statement type). */
function conditionBuilder(
  source: YamlSource,
  vocabularies: Vocabularies,
  errors: Diagnostic[],
  warnings: Diagnostic[],
): (raw: Raw, path: PathSegment[]) => Condition {
  const checkValues = (fact: string, matcher: Matcher, path: PathSegment[]) => {
    const vocabulary = vocabularies[fact];
    if (!vocabulary) return;
    const values = Array.isArray(matcher) ? matcher : [matcher];
    values.forEach((v, k) => {
      const text = String(v);
      const valuePath = Array.isArray(matcher) ? [...path, k] : path;
      const matched = isGlob(text)
        ? vocabulary.known.some((known) => matchesGlob(known, text))
        : vocabulary.known.includes(text);
      if (!matched) {
        const article = /^[aeiou]/i.test(vocabulary.name) ? 'an' : 'a';
        const what = isGlob(text)
          ? `the glob "${text}" matches no ${vocabulary.name}`
          : `"${text}" is not ${article} ${vocabulary.name}`;
        const hint = isGlob(text) ? '' : didYouMean(text, vocabulary.known);
        errors.push(
          at(source, valuePath, `${what}; ${hint}known: ${vocabulary.known.join(', ') || '(none declared)'}`),
        );
      }
    });
  };

  // sqlgate's names from before it followed Bytebase's: still matched, under Bytebase's name.
  const bytebaseNames = (matcher: Matcher, path: PathSegment[]): Matcher => {
    const rename = (v: unknown, valuePath: PathSegment[]) => {
      const name = typeof v === 'string' ? STATEMENT_TYPE_ALIASES[v] : undefined;
      if (!name) return v;
      warnings.push(at(source, valuePath, `"${v}" is the old name of Bytebase's ${name}; write ${name}`));
      return name;
    };
    return (
      Array.isArray(matcher) ? matcher.map((v, k) => rename(v, [...path, k])) : rename(matcher, path)
    ) as Matcher;
  };

  const buildCondition = (raw: Raw, path: PathSegment[]): Condition => {
    const facts: Record<string, Matcher> = {};
    const parts: Condition[] = [];
    for (const [key, v] of Object.entries(raw as Record<string, Raw>)) {
      if (key === 'all' || key === 'any') {
        parts.push({ kind: key, of: (v as Raw[]).map((c, j) => buildCondition(c, [...path, key, j])) });
      } else if (key === 'not') {
        parts.push({ kind: 'not', of: buildCondition(v, [...path, key]) });
      } else if (!COMBINATORS.has(key)) {
        const value = key === 'statementType' ? bytebaseNames(v, [...path, key]) : v;
        checkValues(key, value, [...path, key]);
        facts[key] = value;
      }
    }
    if (Object.keys(facts).length > 0) parts.unshift({ kind: 'facts', facts });
    return parts.length === 1 ? (parts[0] as Condition) : { kind: 'all', of: parts };
  };
  return buildCondition;
}

export function buildRisk(
  loaded: Loaded,
  envs: EnvironmentsBuild,
  errors: Diagnostic[],
  warnings: Diagnostic[] = [],
): RiskPolicy {
  if (!loaded) return { rules: [], unparsedLevel: 'high', preset: 'bytebase' };
  const { source, value } = loaded;
  const rawRules: Raw[] = value.rules ?? [];
  const buildCondition = conditionBuilder(source, conditionVocabularies(envs), errors, warnings);

  const rules: RiskRule[] = rawRules.map((raw, i) => {
    const where = at(source, ['rules', i], '');
    return {
      title: raw.title,
      source: raw.source,
      level: raw.level,
      when: buildCondition(raw.when, ['rules', i, 'when']),
      at: { file: where.file, line: where.line, column: where.column },
    };
  });
  // The preset is merged in unless switched off in writing: a team that adds one rule of its own
  // must not silently lose every default (an unbounded DELETE would fall to level none).
  const preset = value.preset ?? 'bytebase';
  const rollbackAt = value.requireRollback ? at(source, ['requireRollback'], '') : undefined;
  const backupAt = value.backupDml ? at(source, ['backupDml'], '') : undefined;
  return {
    rules,
    unparsedLevel: value.unparsedLevel ?? 'high',
    preset,
    ...(rollbackAt
      ? {
          requireRollback: {
            level: value.requireRollback as RuleLevel,
            at: { file: rollbackAt.file, line: rollbackAt.line, column: rollbackAt.column },
          },
        }
      : {}),
    ...(backupAt
      ? {
          backupDml: {
            level: value.backupDml as RuleLevel,
            at: { file: backupAt.file, line: backupAt.line, column: backupAt.column },
          },
        }
      : {}),
  };
}

/**
 * Each environment's `onlineSchemaChange`, with its condition checked like a risk rule's. Built
 * after the environments so `when: { environment: ... }` can name any of them.
 */
export function withOnlineSchemaChange(
  loaded: Loaded,
  envs: EnvironmentsBuild,
  errors: Diagnostic[],
  warnings: Diagnostic[] = [],
): Environment[] {
  if (!loaded) return envs.environments;
  const { source, value } = loaded;
  const buildCondition = conditionBuilder(source, conditionVocabularies(envs), errors, warnings);
  const rawEnvs: Raw[] = value.environments;
  return envs.environments.map((env) => {
    const i = rawEnvs.findIndex((r) => r.id === env.id);
    const raw = rawEnvs[i]?.onlineSchemaChange;
    if (!raw) return env;
    const where = at(source, ['environments', i, 'onlineSchemaChange'], '');
    const online: OnlineSchemaChangePolicy = {
      tool: raw.tool ?? 'pt-online-schema-change',
      when: buildCondition(raw.when, ['environments', i, 'onlineSchemaChange', 'when']),
      at: { file: where.file, line: where.line, column: where.column },
      chunkSize: raw.chunkSize ?? 1000,
      maxLoad: raw.maxLoad ?? 'Threads_running=25',
      criticalLoad: raw.criticalLoad ?? 'Threads_running=50',
      ...(raw.foreignKeys !== undefined ? { foreignKeys: raw.foreignKeys } : {}),
    };
    return { ...env, onlineSchemaChange: online };
  });
}

function sourceLocation(d: {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}): SourceLocation {
  return { file: d.file, line: d.line, column: d.column };
}
