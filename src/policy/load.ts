import { Diagnostic } from '../errors.js';
import {
  buildApproval,
  buildEnvironments,
  buildRisk,
  buildRoles,
  type Raw,
  withOnlineSchemaChange,
} from './build.js';
import { uncoveredSources } from './coverage-warnings.js';
import { checkSchema } from './schema-check.js';
import { POLICY_FILES, type Policy, type PolicyFileKey } from './types.js';
import { parseYaml, type YamlSource } from './yaml-source.js';

/** The text of each policy file, or undefined when the file does not exist. */
export type PolicyTexts = Partial<Record<PolicyFileKey, string>>;

/** `warnings`: accepted but worth fixing (an old statement type name), with where they are. */
export type LoadResult =
  | { ok: true; policy: Policy; warnings: Diagnostic[] }
  | { ok: false; errors: Diagnostic[] };

// environments.yaml is the only file sqlgate cannot do without: it says where databases live.
// The others have sensible defaults (built-in roles, Bytebase's preset rules, no approval).
const REQUIRED: readonly PolicyFileKey[] = ['environments'];

const WHAT_IT_NEEDS: Record<PolicyFileKey, string> = {
  roles: 'a mapping with `roles:`',
  risk: 'a mapping with `rules:` (or `preset: bytebase`)',
  approval: 'a mapping with `flows:` and `assignments:`',
  environments: 'a mapping with `environments:` and `databases:`',
};

/**
 * Parse, schema-check and cross-check the four policy files. Takes file contents, not paths,
 * so the same code reads a directory, a git ref or a test fixture. Reports every error found.
 */
export function loadPolicies(texts: PolicyTexts, dir = 'policies'): LoadResult {
  const errors: Diagnostic[] = [];
  const sources: Partial<Record<PolicyFileKey, { source: YamlSource; value: Raw }>> = {};

  for (const key of Object.keys(POLICY_FILES) as PolicyFileKey[]) {
    const file = `${dir}/${POLICY_FILES[key]}`;
    const text = texts[key];
    if (text === undefined) {
      if (REQUIRED.includes(key)) {
        errors.push(new Diagnostic(file, 0, 0, `file not found; sqlgate needs it: ${WHAT_IT_NEEDS[key]}`));
      }
      continue;
    }
    const parsed = parseYaml(file, text);
    if (parsed.errors.length > 0) {
      errors.push(...parsed.errors);
      continue;
    }
    if (parsed.value === null || parsed.value === undefined) {
      errors.push(new Diagnostic(file, 1, 1, `the file is empty; expected ${WHAT_IT_NEEDS[key]}`));
      continue;
    }
    const schemaErrors = checkSchema(key, parsed.source, parsed.value);
    if (schemaErrors.length > 0) {
      errors.push(...schemaErrors);
      continue;
    }
    sources[key] = { source: parsed.source, value: parsed.value as Raw };
  }
  // Cross-references are only checked between files that are themselves valid; otherwise every
  // typo would be reported twice, once as itself and once as each of its consequences.
  if (errors.length > 0) return { ok: false, errors: sortErrors(errors) };

  const roles = buildRoles(sources.roles, errors);
  const warnings: Diagnostic[] = [];
  const environments = buildEnvironments(sources.environments, roles, errors, warnings);
  const approval = buildApproval(sources.approval, roles, errors, warnings);
  const risk = buildRisk(sources.risk, environments, errors, warnings);
  const withOnline = withOnlineSchemaChange(sources.environments, environments, errors, warnings);
  if (errors.length > 0) return { ok: false, errors: sortErrors(errors) };

  const policy: Policy = {
    roles,
    risk,
    approval,
    environments: withOnline,
    databases: environments.databases,
  };
  warnings.push(...uncoveredSources(policy, sources.risk?.source, sources.approval?.source));
  return { ok: true, policy: deepFreeze(policy), warnings: sortErrors(warnings) };
}

function sortErrors(errors: Diagnostic[]): Diagnostic[] {
  return errors.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

export function summarisePolicy(policy: Policy): string {
  const count = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  return [
    count(policy.roles.length, 'role'),
    count(policy.risk.rules.length, 'rule') +
      (policy.risk.preset === 'bytebase' ? ' (+ Bytebase preset)' : ''),
    count(policy.approval.flows.length, 'flow'),
    count(policy.environments.length, 'environment'),
    count(policy.databases.length, 'database'),
  ].join(', ');
}
