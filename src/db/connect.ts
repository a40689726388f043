import mysql from 'mysql2/promise';
import { InputError } from '../errors.js';
import type { ConnectionTarget } from './url.js';

/**
 * One dedicated connection (never a pool: a pool's resetOnRelease drops named locks and
 * session settings). Unreachable servers become a clear error naming the masked URL.
 */
export async function connect(
  target: ConnectionTarget,
  options: { database?: string; connectTimeoutMs?: number } = {},
): Promise<mysql.Connection> {
  try {
    return await mysql.createConnection({
      host: target.host,
      port: target.port,
      user: target.user,
      password: target.password,
      ...(options.database ? { database: options.database } : {}),
      connectTimeout: options.connectTimeoutMs ?? 10_000,
      multipleStatements: false,
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

/** Never let a password reach a log line, whatever the driver put in its message. */
export function redact(message: string, target: ConnectionTarget): string {
  return target.password ? message.split(target.password).join('***') : message;
}
