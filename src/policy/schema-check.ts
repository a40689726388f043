import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import type { Diagnostic } from '../errors.js';
// Compiled from schemas/*.schema.json at build time (scripts/schema-validators.ts): compiling
// them here cost every deploy ~100 ms and kept Ajv's compiler in the bundles.
import { approval, environments, risk, roles } from './schema-validators.js';
import { didYouMean } from './suggest.js';
import type { PolicyFileKey } from './types.js';
import { at, type PathSegment, type YamlSource } from './yaml-source.js';

const VALIDATORS: Record<PolicyFileKey, ValidateFunction> = { roles, risk, approval, environments };

/** Validate a parsed policy file against its JSON Schema; every error carries the file position. */
export function checkSchema(key: PolicyFileKey, source: YamlSource, value: unknown): Diagnostic[] {
  return schemaErrors(VALIDATORS[key], source, value);
}

/** Validate a parsed YAML file; every error carries the position of the value it is about. */
export function schemaErrors(validate: ValidateFunction, source: YamlSource, value: unknown): Diagnostic[] {
  if (validate(value)) return [];
  return pruneErrors(validate.errors ?? []).map((e) => describe(source, e));
}

// ajv reports a wrong type together with every other keyword that then fails on the same value
// (an `additionalProperties` on a string, a `minItems` on a number); only the type error helps.
function pruneErrors(errors: readonly ErrorObject[]): ErrorObject[] {
  const typeErrorPaths = new Set(errors.filter((e) => e.keyword === 'type').map((e) => e.instancePath));
  const seen = new Set<string>();
  return errors.filter((e) => {
    if (e.keyword !== 'type' && typeErrorPaths.has(e.instancePath)) return false;
    // An inline `url` gets its own message that already says to use `urlEnv`.
    if (
      e.keyword === 'required' &&
      e.params.missingProperty === 'urlEnv' &&
      (e.data as { url?: unknown })?.url !== undefined
    ) {
      return false;
    }
    const id = `${e.instancePath}|${e.keyword}|${JSON.stringify(e.params)}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

function pathOf(instancePath: string): PathSegment[] {
  if (instancePath === '') return [];
  return instancePath
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function nameOf(path: readonly PathSegment[]): string {
  const last = [...path].reverse().find((s) => typeof s === 'string');
  if (last === undefined) return 'the file';
  const index = path[path.length - 1];
  return typeof index === 'number' ? `item ${index + 1} of "${last}"` : `"${last}"`;
}

const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  array: 'a list',
  object: 'a mapping',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
  null: 'nothing',
};

function typeWord(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'number')
    return Number.isInteger(value) ? `the number ${value}` : `the number ${value}`;
  return `${typeof value === 'string' ? 'the string' : ''} ${JSON.stringify(value)}`.trim();
}

function describe(source: YamlSource, e: ErrorObject): Diagnostic {
  const path = pathOf(e.instancePath);
  const subject = nameOf(path);
  const parent = e.parentSchema as { properties?: Record<string, unknown> } | undefined;
  switch (e.keyword) {
    case 'type': {
      const wanted = ([] as string[])
        .concat(e.params.type as string | string[])
        .map((t) => TYPE_WORDS[t] ?? t);
      return at(source, path, `${subject} must be ${wanted.join(' or ')}, found ${typeWord(e.data)}`);
    }
    case 'additionalProperties': {
      const key = String(e.params.additionalProperty);
      const allowed = Object.keys(parent?.properties ?? {});
      if (key === 'url' && allowed.includes('urlEnv')) {
        const url = (e.data as { url?: unknown } | undefined)?.url;
        const scheme = typeof url === 'string' ? /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1] : undefined;
        const engine =
          scheme && !/^(mysql|mariadb)$/i.test(scheme)
            ? `; and it is a ${scheme}:// URL, but sqlgate handles MySQL and MariaDB only (mysql:// or mariadb://)`
            : '';
        return at(
          source,
          [...path, key],
          `a database URL must not be written in the repository (it would expose its password); store it in a secret and name the environment variable that holds it with \`urlEnv: PROD_DB_URL\`${engine}`,
          { key: true },
        );
      }
      return at(
        source,
        [...path, key],
        `unknown key "${key}"; ${didYouMean(key, allowed)}allowed keys: ${allowed.join(', ')}`,
        {
          key: true,
        },
      );
    }
    case 'required':
      return at(
        source,
        path,
        `${subject === 'the file' ? 'the file' : subject} is missing the required key "${e.params.missingProperty}"`,
      );
    case 'enum': {
      const allowed = (e.params.allowedValues as unknown[]).map(String);
      const hint = typeof e.data === 'string' ? didYouMean(e.data, allowed) : '';
      return at(
        source,
        path,
        `${subject} is ${typeWord(e.data)}; ${hint}expected one of: ${allowed.join(', ')}`,
      );
    }
    case 'pattern':
      return at(source, path, `${subject} is ${typeWord(e.data)}; ${patternHint(e)}`);
    case 'minItems':
      return at(
        source,
        path,
        `${subject} must list at least ${e.params.limit} item${e.params.limit === 1 ? '' : 's'}`,
      );
    case 'minProperties':
      return at(source, path, `${subject} must not be empty`);
    case 'minimum':
      return at(source, path, `${subject} must be at least ${e.params.limit}, found ${typeWord(e.data)}`);
    case 'minLength':
      return at(source, path, `${subject} must not be empty`);
    default:
      return at(source, path, `${subject} ${e.message ?? 'is invalid'}`);
  }
}

function patternHint(e: ErrorObject): string {
  const title = (e.parentSchema as { title?: string } | undefined)?.title ?? 'value';
  const hints: Record<string, string> = {
    'Role id': 'expected lower-case letters, digits and dashes, starting with a letter (e.g. `tester`)',
    'Flow id':
      'expected lower-case letters, digits and dashes, starting with a letter (e.g. `owner-then-dba`)',
    'Environment id': 'expected lower-case letters, digits and dashes, starting with a letter (e.g. `prod`)',
    Member: 'expected a GitHub login (`octocat`) or a team (`org/team-slug`)',
    'URL variable': 'expected an environment variable name such as `PROD_DB_URL`',
    'Database name': 'expected letters, digits, `_` and `$`',
  };
  return hints[title] ?? `expected a ${title.toLowerCase()} matching ${e.params.pattern}`;
}
