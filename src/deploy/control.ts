// The control connection of a deploy: it holds the lock, writes the history between statements
// and can KILL the running statement. A statement may run for hours, but the control path must
// never hang on a frozen server (every query has a timeout) and never idle out under
// wait_timeout while a long statement runs (it pings); when it is lost, the lock is lost with
// it, and `lost` says so, so the deploy stops before its next statement.
import type { Connection } from 'mysql2/promise';
import { closeQuietly, connect } from '../db/connect.js';
import type { ConnectionTarget } from '../db/url.js';

/** How long the control path waits for the server before it calls it frozen. */
export const CONTROL_TIMEOUT_MS = 30_000;

export class ControlLostError extends Error {
  readonly fatal = true;
  constructor(
    message: string,
    readonly code = 'SQLGATE_CONTROL_LOST',
  ) {
    super(message);
    this.name = 'ControlLostError';
  }
}

export class ControlSession {
  private busy = 0;
  private timer: NodeJS.Timeout | undefined;
  private lostError: Error | undefined;
  private signalLost: (error: Error) => void = () => {};
  /** Settles with the reason once the connection (and with it the lock) is gone. */
  readonly lost: Promise<Error>;

  private constructor(
    readonly connection: Connection,
    readonly id: number,
    readonly timeoutMs: number,
  ) {
    this.lost = new Promise((resolve) => {
      this.signalLost = resolve;
    });
    connection.on('error', (error: Error) => this.markLost(error));
  }

  static async open(target: ConnectionTarget, timeoutMs: number, database?: string): Promise<ControlSession> {
    const c = await connect(target, {
      connectTimeoutMs: timeoutMs,
      multipleStatements: true,
      ...(database ? { database } : {}),
    });
    // What the control connection reads of the history after a lost connection decides what is
    // recorded applied: it must never see a row that may still roll back, whatever isolation the
    // server defaults to (READ UNCOMMITTED would). REPEATABLE READ, InnoDB's own default, also
    // suits statement-based binary logs, which refuse InnoDB writes under READ COMMITTED.
    try {
      await c.query('SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ');
    } catch (error) {
      await closeQuietly(c);
      throw error;
    }
    return new ControlSession(c, c.threadId, timeoutMs);
  }

  get isLost(): Error | undefined {
    return this.lostError;
  }

  private markLost(error: Error): void {
    if (this.lostError) return;
    this.lostError = error;
    this.signalLost(error);
  }

  /** A query that fails (and drops the connection) if the server does not answer in time. */
  async query<T = unknown>(
    sql: string,
    values: unknown[] = [],
    options: { timeoutMs?: number } = {},
  ): Promise<[T, unknown]> {
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    this.busy++;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new ControlLostError(
          `the server did not answer within ${(timeoutMs / 1000).toFixed(0)} s (is it frozen or overloaded?)`,
          'SQLGATE_TIMEOUT',
        );
        this.markLost(error);
        this.connection.destroy();
        reject(error);
      }, timeoutMs);
    });
    try {
      return (await Promise.race([this.connection.query(sql, values), timeout])) as [T, unknown];
    } catch (error) {
      if ((error as { fatal?: boolean }).fatal) this.markLost(error as Error);
      throw error;
    } finally {
      clearTimeout(timer);
      this.busy--;
    }
  }

  /** Ping while idle, often enough that wait_timeout never closes the connection. */
  async keepAlive(maxIntervalMs = 30_000): Promise<void> {
    const [rows] = await this.query<{ w: number }[]>('SELECT @@SESSION.wait_timeout AS w');
    const waitMs = Number(rows[0]?.w ?? 28_800) * 1000;
    const interval = Math.max(200, Math.min(maxIntervalMs, waitMs / 3, this.timeoutMs));
    this.timer = setInterval(() => {
      if (this.busy > 0 || this.lostError) return;
      this.query('DO 0').catch(() => {});
    }, interval);
    this.timer.unref();
  }

  /** Ask the server to stop the statement running on connection `id`. */
  async killQuery(id: number): Promise<void> {
    await this.query(`KILL QUERY ${Number(id)}`);
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await closeQuietly(this.connection);
  }
}
