// A named lock per database so two deploys never interleave. It lives on a dedicated
// connection outside any pool: mysql2's reset() and a pool's resetOnRelease silently release
// named locks. Names are at most 64 characters, so the database identity is hashed into it.
import { createHash } from 'node:crypto';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { RefusedError } from '../errors.js';

export function lockName(host: string, port: number, database: string): string {
  return `sqlgate:${createHash('sha256').update(`${host}:${port}/${database}`).digest('hex').slice(0, 48)}`;
}

export async function acquireLock(c: Connection, name: string, timeoutSeconds: number): Promise<void> {
  const [rows] = await c.query<RowDataPacket[]>('SELECT GET_LOCK(?, ?) AS got', [name, timeoutSeconds]);
  if (Number(rows[0]?.got) === 1) return;
  const [holder] = await c.query<RowDataPacket[]>('SELECT IS_USED_LOCK(?) AS holder', [name]);
  const id = holder[0]?.holder;
  throw new RefusedError(
    `another deploy holds the lock${id ? ` (connection ${id})` : ''}; waited ${timeoutSeconds} s. Nothing was changed; run again when it has finished`,
  );
}

export async function releaseLock(c: Connection, name: string): Promise<void> {
  // A connection that died has released the lock with it; do not wait on it.
  const timeout = new Promise((resolve) => setTimeout(resolve, 2000).unref());
  await Promise.race([c.query('SELECT RELEASE_LOCK(?)', [name]).catch(() => {}), timeout]);
}
