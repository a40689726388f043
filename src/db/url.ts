// Database URLs come from environment variables named in environments.yaml; they carry
// passwords, so everything printed goes through maskUrl.
import { InputError } from '../errors.js';
import type { Database } from '../policy/types.js';

export interface ConnectionTarget {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  /** The URL with its password replaced by ***, safe to print. */
  readonly masked: string;
}

export function maskUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*:)[^@]*@/i, '$1***@');
}

export function parseDatabaseUrl(variable: string, url: string): ConnectionTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InputError(
      `${variable} is not a valid database URL: expected mysql://user:password@host:3306/ (got ${maskUrl(url).slice(0, 80)})`,
    );
  }
  if (parsed.protocol !== 'mysql:' && parsed.protocol !== 'mariadb:') {
    throw new InputError(`${variable} must be a mysql:// or mariadb:// URL, not ${parsed.protocol}//…`);
  }
  if (!parsed.hostname)
    throw new InputError(`${variable} has no host: expected mysql://user:password@host:3306/`);
  return {
    host: parsed.hostname,
    port: parsed.port ? Number(parsed.port) : 3306,
    user: decodeURIComponent(parsed.username || 'root'),
    password: decodeURIComponent(parsed.password),
    masked: maskUrl(url),
  };
}

/** The URL of a database from its environment variable, or an error that names the variable. */
export function targetOf(
  database: Database,
  env: Readonly<Record<string, string | undefined>>,
): ConnectionTarget {
  const url = env[database.urlEnv];
  if (!url) {
    throw new InputError(
      `database ${database.name} in ${database.environment}: environment variable ${database.urlEnv} is not set (set it to mysql://user:password@host:3306/, in a workflow from a secret)`,
    );
  }
  return parseDatabaseUrl(database.urlEnv, url);
}
