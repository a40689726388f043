// Database URLs come from environment variables named in environments.yaml; they carry
// passwords, so everything printed goes through maskUrl or redact.
import { InputError } from '../errors.js';

export interface ConnectionTarget {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  /** The URL with its password replaced by ***, safe to print. */
  readonly masked: string;
}

const SCHEME = /^([a-z][a-z0-9+.-]*:\/\/)/i;

const HOW_TO_ENCODE =
  'percent-encode special characters in the user name and password (@ as %40, : as %3A, / as %2F, ? as %3F, # as %23, % as %25; encodeURIComponent does this)';

/**
 * The URL with everything between `scheme://user:` and the host's `@` masked. The last `@` of
 * the authority is the host's, so a raw `@` in a password is masked whole, never cut short.
 */
export function maskUrl(url: string): string {
  const scheme = SCHEME.exec(url)?.[1];
  if (!scheme) return url.includes('@') ? '***' : url;
  const rest = url.slice(scheme.length);
  const at = rest.lastIndexOf('@');
  if (at < 0) return url;
  const userinfo = rest.slice(0, at);
  const colon = userinfo.indexOf(':');
  return `${scheme}${colon < 0 ? userinfo : `${userinfo.slice(0, colon)}:***`}@${rest.slice(at + 1)}`;
}

function decode(variable: string, what: string, value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw new InputError(
      `${variable} has a malformed ${what} (a % not followed by two hex digits): ${HOW_TO_ENCODE}`,
    );
  }
}

export function parseDatabaseUrl(variable: string, url: string): ConnectionTarget {
  const masked = maskUrl(url);
  const scheme = SCHEME.exec(url)?.[1];
  if (scheme && !/^(mysql|mariadb):\/\/$/i.test(scheme)) {
    throw new InputError(`${variable} must be a mysql:// or mariadb:// URL, not ${scheme}…`);
  }
  // The authority ends at the first /, ? or # after the host; a raw @, / , ? or # inside the
  // password would make a URL parser take part of the password for the host.
  const authority = scheme ? (url.slice(scheme.length).split(/[/?#]/, 1)[0] ?? '') : '';
  if (scheme && (authority.match(/@/g) ?? []).length > 1) {
    throw new InputError(
      `${variable} has a raw @ in its user name or password: ${HOW_TO_ENCODE} (got ${masked})`,
    );
  }
  if (scheme && !authority.includes('@') && url.slice(scheme.length + authority.length).includes('@')) {
    // mysql://user:pa/ss@host/ would connect to host "user": a raw / ? or # cut the password.
    throw new InputError(`${variable} has a raw / ? or # in its user name or password: ${HOW_TO_ENCODE}`);
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InputError(
      `${variable} is not a valid database URL: expected mysql://user:password@host:3306/; ${HOW_TO_ENCODE} (got ${masked.slice(0, 80)})`,
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
    user: decode(variable, 'user name', parsed.username || 'root'),
    password: decode(variable, 'password', parsed.password),
    masked,
  };
}

/**
 * The strings a log must never show: the password as written in the URL and decoded. The
 * Actions runner masks by plain substring, so a password of a few characters would be starred
 * inside ordinary words and give itself away; those are left to redact(), which matches tokens.
 */
export function urlSecrets(url: string): string[] {
  const scheme = SCHEME.exec(url)?.[1];
  if (!scheme) return [];
  const rest = url.slice(scheme.length);
  const at = rest.lastIndexOf('@');
  const colon = rest.indexOf(':');
  if (at < 0 || colon < 0 || colon > at) return [];
  const raw = rest.slice(colon + 1, at);
  let decoded = raw;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    // a malformed password is refused when parsed; mask it as written meanwhile
  }
  return [...new Set([raw, decoded])].filter((s) => s.length >= 4);
}
