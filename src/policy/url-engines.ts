// sqlgate speaks MySQL and MariaDB only. A database URL is never in the repository, but when its
// variable is set where `validate` runs, the engine is known then and a postgres:// URL can be
// refused before a deploy finds out.
import type { Diagnostic } from '../errors.js';
import type { Policy } from './types.js';
import { at, type YamlSource } from './yaml-source.js';

const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;
const SUPPORTED = new Set(['mysql', 'mariadb']);

/** One error per database whose URL variable holds a URL of another engine, at its `urlEnv`. */
export function urlEngineErrors(
  policy: Policy,
  environments: YamlSource,
  env: Readonly<Record<string, string | undefined>>,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  policy.databases.forEach((db, i) => {
    const scheme = SCHEME.exec(env[db.urlEnv] ?? '')?.[1];
    if (scheme === undefined || SUPPORTED.has(scheme.toLowerCase())) return;
    out.push(
      at(
        environments,
        ['databases', i, 'urlEnv'],
        `${db.urlEnv} holds a ${scheme}:// URL, but sqlgate handles MySQL and MariaDB only; database "${db.name}" (${db.environment}) needs a mysql:// or mariadb:// URL`,
      ),
    );
  });
  return out;
}
