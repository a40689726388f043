import mysql from 'mysql2/promise';
import { InputError } from '../errors.js';
import type { ConnectionTarget } from './url.js';

/**
 * One dedicated connection (never a pool: a pool's resetOnRelease drops named locks and
 * session settings). Unreachable servers become a clear error naming the masked URL.
 */
export async function connect(
  target: ConnectionTarget,
  options: { database?: string; connectTimeoutMs?: number; multipleStatements?: boolean } = {},
): Promise<mysql.Connection> {
  try {
    return await mysql.createConnection({
      host: target.host,
      port: target.port,
      user: target.user,
      password: target.password,
      ...(options.database ? { database: options.database } : {}),
      connectTimeout: options.connectTimeoutMs ?? 10_000,
      // Only sqlgate's own bookkeeping is ever sent as several statements at once.
      multipleStatements: options.multipleStatements ?? false,
      supportBigNumbers: true,
      bigNumberStrings: true,
      dateStrings: true,
    });
  } catch (error) {
    const e = error as { code?: string; message?: string };
    throw new InputError(
      `cannot connect to ${target.masked}: ${e.code ?? ''} ${redact(e.message ?? String(error), target)}`
        .replace(/\s+/g, ' ')
        .trim(),
    );
  }
}

/**
 * Never let a password reach a log line, whatever the driver put in its message. Only whole
 * tokens are replaced: blind substring replacement of a short password stars letters inside
 * ordinary words ("Acc***ss d***ni***d") and so gives the password away.
 */
export function redact(message: string, target: ConnectionTarget): string {
  let out = message;
  for (const secret of new Set([target.password, encodeURIComponent(target.password)])) {
    if (!secret) continue;
    const escaped = secret.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    out = out.replace(new RegExp(`(?<![\\p{L}\\p{N}_])${escaped}(?![\\p{L}\\p{N}_])`, 'gu'), '***');
  }
  return out;
}

/** End a connection; one whose server is gone is destroyed instead of waiting for a reply. */
export async function closeQuietly(c: mysql.Connection): Promise<void> {
  const inner = (c as unknown as { connection?: { _fatalError?: unknown; stream?: { destroyed?: boolean } } })
    .connection;
  if (inner?._fatalError || inner?.stream?.destroyed) {
    c.destroy();
    return;
  }
  const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 2000).unref());
  const ended = await Promise.race([
    c.end().then(
      () => 'ended' as const,
      () => 'failed' as const,
    ),
    timeout,
  ]);
  if (ended !== 'ended') c.destroy();
}

export function quoteIdentifier(name: string): string {
  return `\`${name.replace(/`/g, '``')}\``;
}

/** Make `name` the connection's default database. */
export async function useDatabase(c: mysql.Connection, name: string): Promise<mysql.Connection> {
  await c.query(`USE ${quoteIdentifier(name)}`);
  return c;
}
