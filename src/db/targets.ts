// Where each database is. Its URL comes from the environment variable environments.yaml names
// (`urlEnv`); the edges (the Action's settings, each CLI command) resolve it once through this
// and everything below takes a DatabaseTargets, never the process environment itself.
import { InputError } from '../errors.js';
import type { Database } from '../policy/types.js';
import { type ConnectionTarget, parseDatabaseUrl } from './url.js';

export interface DatabaseTargets {
  /** Whether this job was given the database's URL at all. */
  readonly has: (database: Database) => boolean;
  /** The database's connection target; an InputError names the variable when it is unset or malformed. */
  readonly of: (database: Database) => ConnectionTarget;
}

export function targetsFromEnv(env: Readonly<Record<string, string | undefined>>): DatabaseTargets {
  // Each variable is parsed once, however many databases (a fleet's shards) share it.
  const parsed = new Map<string, ConnectionTarget>();
  return {
    has: (database) => Boolean(env[database.urlEnv]),
    of: (database) => {
      const url = env[database.urlEnv];
      if (!url) {
        throw new InputError(
          `database ${database.name} in ${database.environment}: environment variable ${database.urlEnv} is not set (set it to mysql://user:password@host:3306/, in a workflow from a secret)`,
        );
      }
      let target = parsed.get(database.urlEnv);
      if (!target) {
        target = parseDatabaseUrl(database.urlEnv, url);
        parsed.set(database.urlEnv, target);
      }
      return target;
    },
  };
}
