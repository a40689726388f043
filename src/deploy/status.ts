// `sqlgate status`: the history of one database as it is, read without the lock and without
// creating anything.
import type { ConnectionTarget } from '../db/url.js';
import type { Database } from '../policy/types.js';
import { CONTROL_TIMEOUT_MS, ControlSession } from './control.js';
import { MysqlRevisions } from './mysql-revisions.js';
import type { HistoryRow } from './types.js';

export interface DatabaseStatus {
  readonly database: string;
  readonly environment: string;
  /** Where it was read, safe to print. */
  readonly masked: string;
  /** The rows, oldest first; null when nothing was ever deployed (no history table). */
  readonly rows: readonly HistoryRow[] | null;
}

export async function readDatabaseStatus(
  database: Database,
  target: ConnectionTarget,
): Promise<DatabaseStatus> {
  const c = await ControlSession.open(target, CONTROL_TIMEOUT_MS);
  try {
    const history = new MysqlRevisions(c, database.name);
    return {
      database: database.name,
      environment: database.environment,
      masked: target.masked,
      rows: (await history.exists()) ? await history.read() : null,
    };
  } finally {
    await c.close();
  }
}
