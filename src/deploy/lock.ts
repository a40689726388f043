// A named lock per database so two deploys never interleave. It lives on a dedicated
// connection outside any pool: mysql2's reset() and a pool's resetOnRelease silently release
// named locks. GET_LOCK names are per server, so the name is the database's own name (hashed
// to fit 64 characters): never the host and port the client happened to spell, which differ
// for the same server (127.0.0.1 and localhost, a proxy, a DNS alias).
import { createHash } from 'node:crypto';
import type { RowDataPacket } from 'mysql2/promise';
import { RefusedError } from '../errors.js';
import type { ControlSession } from './control.js';

const ER_QUERY_INTERRUPTED = 1317;

export function lockName(database: string): string {
  return `sqlgate:${createHash('sha256').update(database).digest('hex').slice(0, 48)}`;
}

export async function acquireLock(c: ControlSession, name: string, timeoutSeconds: number): Promise<void> {
  const started = Date.now();
  const waited = () => ((Date.now() - started) / 1000).toFixed(1);
  let got: unknown;
  try {
    const [rows] = await c.query<RowDataPacket[]>('SELECT GET_LOCK(?, ?) AS got', [name, timeoutSeconds], {
      timeoutMs: timeoutSeconds * 1000 + c.timeoutMs,
    });
    got = rows[0]?.got;
  } catch (error) {
    if ((error as { errno?: number }).errno !== ER_QUERY_INTERRUPTED) throw error;
    got = null;
  }
  if (Number(got) === 1) return;
  if (got === null) {
    // NULL: the wait itself ended in an error (the connection was killed or the server stopped it).
    throw new RefusedError(
      `waiting for the deploy lock was interrupted after ${waited()} s. Nothing was changed; run again`,
    );
  }
  const [holder] = await c.query<RowDataPacket[]>('SELECT IS_USED_LOCK(?) AS holder', [name]);
  const id = holder[0]?.holder;
  throw new RefusedError(
    `another deploy holds the lock${id ? ` (connection ${id})` : ''}; waited ${timeoutSeconds} s. Nothing was changed; run again when it has finished`,
  );
}

export async function releaseLock(c: ControlSession, name: string): Promise<void> {
  // A connection that died has released the lock with it; do not wait on it.
  await c.query('SELECT RELEASE_LOCK(?)', [name], { timeoutMs: 2000 }).catch(() => {});
}
