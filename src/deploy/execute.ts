// Applying one statement, as a seam: the engine asks an executor to run a statement and gets
// back what happened (applied, failed, or unknown because the reply never came). The default
// executor sends the statement text, exactly as split and analysed, on the deploy's work
// connection; another one (an online schema change tool for ALTER TABLE, say) can accept the
// statements it handles. The engine records each outcome in the history either way.
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { closeQuietly, connect } from '../db/connect.js';
import { sendPacket, setMultiStatements } from '../db/multi-statements.js';
import type { ConnectionTarget } from '../db/url.js';
import type { ControlSession } from './control.js';

export interface PendingStatement {
  /** Repository path of the migration. */
  readonly file: string;
  /** 0-based position in the file. */
  readonly index: number;
  readonly line: number;
  readonly text: string;
  readonly hash: string;
}

export type StatementOutcome =
  | { readonly kind: 'applied' }
  /** The server answered with an error: the statement did not take effect. */
  | { readonly kind: 'failed'; readonly error: unknown }
  /** No answer (the connection dropped): it may or may not have taken effect. */
  | { readonly kind: 'unknown'; readonly error: unknown };

export interface StatementExecutor {
  /** What the history records as running the statement while it is in flight; unset: the deploy's own connection. */
  readonly via?: string;
  /** Whether this executor runs the statement (it may look at the live table); the default one accepts all. */
  accepts(statement: PendingStatement): boolean | Promise<boolean>;
  /** Run it; on `signal`, stop it and return once it has really ended. */
  execute(statement: PendingStatement, signal: AbortSignal): Promise<StatementOutcome>;
}

const LOST = new Set([
  'PROTOCOL_CONNECTION_LOST',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ECONNREFUSED',
  'ER_SERVER_SHUTDOWN',
  'ER_CONNECTION_KILLED',
  'SQLGATE_TIMEOUT',
  'SQLGATE_CONTROL_LOST',
]);

/** True when the server may or may not have run the statement: the reply never came. */
export function outcomeUnknown(error: unknown): boolean {
  const e = error as { fatal?: boolean; code?: string };
  return Boolean(e.fatal) || (e.code !== undefined && LOST.has(e.code));
}

/**
 * What happened to statements sent after sqlgate's own statements in one packet. `at` is the
 * position of the failed one: below `prefix.length` (-1: nothing was sent) no statement of the
 * migration was run.
 */
export type PacketOutcome =
  | { readonly kind: 'applied' }
  | { readonly kind: 'failed'; readonly error: unknown; readonly at: number }
  /** `received`: how many of the packet's statements had answered before the connection was lost. */
  | { readonly kind: 'unknown'; readonly error: unknown; readonly received?: number };

/**
 * Whether the server can only read `text` as one statement, so that it may follow sqlgate's
 * bookkeeping in one packet: the server ends a statement only at a `;`. A statement with one
 * (in a string, a stored program) is sent alone, with multi-statement mode off.
 */
export function canShareAPacket(text: string): boolean {
  return !text.includes(';');
}

/** The connection statements run on; bookkeeping inside their transactions shares it. */
export class WorkSession {
  /** Whether the server currently accepts several statements per query here. */
  private multi = false;
  /** While a packet is out: how many of its statements have answered. */
  private answered: (() => number) | undefined;

  private constructor(
    readonly connection: Connection,
    readonly id: number,
    /** The largest statement the server accepts, in bytes. */
    readonly maxPacket: number,
  ) {
    // An error on an idle connection is reported by the next query; without a listener it would crash.
    connection.on('error', () => {});
  }

  static async open(
    target: ConnectionTarget,
    database: string,
    lockWaitTimeoutSeconds: number,
    timeoutMs: number,
  ): Promise<WorkSession> {
    const c = await connect(target, { database, connectTimeoutMs: timeoutMs });
    // A DDL stuck behind a long transaction must fail soon (and be retried), not queue every
    // query on its table behind its metadata lock.
    await c.query('SET SESSION lock_wait_timeout = ?', [lockWaitTimeoutSeconds]);
    const [rows] = await c.query<RowDataPacket[]>('SELECT @@max_allowed_packet AS p');
    return new WorkSession(c, c.threadId, Number(rows[0]?.p ?? 16 * 1024 * 1024));
  }

  /** Bookkeeping inside the statement's transaction: it must answer in time, or the connection is dropped. */
  async book(sql: string, timeoutMs: number): Promise<unknown> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.connection.destroy();
        reject(
          Object.assign(
            new Error(`the server did not answer a history write within ${(timeoutMs / 1000).toFixed(0)} s`),
            {
              code: 'SQLGATE_TIMEOUT',
              fatal: true,
            },
          ),
        );
      }, timeoutMs);
    });
    try {
      const [result] = await Promise.race([this.connection.query(sql), timeout]);
      return result;
    } finally {
      clearTimeout(timer);
    }
  }

  /** A statement of a migration: no timeout, it may legitimately run for hours. */
  async run(sql: string): Promise<void> {
    if (this.multi && !canShareAPacket(sql)) {
      await setMultiStatements(this.connection, false);
      this.multi = false;
    }
    await this.connection.query(sql);
  }

  /**
   * sqlgate's `prefix`, then `texts` (a migration's statements, each passing canShareAPacket),
   * then `suffix` (a COMMIT), in one round trip; see sendParts.
   */
  send(
    prefix: readonly string[],
    texts: readonly string[],
    suffix: readonly string[] = [],
  ): Promise<PacketOutcome> {
    return this.sendParts([
      ...prefix.map((text) => ({ text, migration: false })),
      ...texts.map((text) => ({ text, migration: true })),
      ...suffix.map((text) => ({ text, migration: false })),
    ]);
  }

  /**
   * sqlgate's statements and a migration's (each passing canShareAPacket), in this order, in one
   * round trip; `at` of a failure counts all of them. The server reads them as one statement
   * each: a migration's statement without a `;` ends at the one sqlgate puts after it, each one
   * followed by another ends with a line break (so a line comment it ends in stops there), and a
   * block comment left open is a syntax error.
   */
  async sendParts(
    parts: readonly { readonly text: string; readonly migration: boolean }[],
  ): Promise<PacketOutcome> {
    if (!parts.every((p) => !p.migration || canShareAPacket(p.text)))
      throw new Error(`internal: a statement with a ';' cannot share a packet`);
    if (!this.multi) {
      await setMultiStatements(this.connection, true);
      this.multi = true;
    }
    const body = parts.map((p, k) => (p.migration && k < parts.length - 1 ? `${p.text}\n` : p.text));
    let result: Awaited<ReturnType<typeof sendPacket>>;
    try {
      result = await sendPacket(this.connection, body, (answered) => {
        this.answered = answered;
      });
    } finally {
      this.answered = undefined;
    }
    if (result.ok) return { kind: 'applied' };
    return outcomeUnknown(result.error)
      ? { kind: 'unknown', error: result.error, received: result.at }
      : { kind: 'failed', error: result.error, at: result.at };
  }

  /**
   * How many statements of the packet now out have answered (a lower bound; the last one never
   * counts), or undefined when no packet is out. Read before giving up on a silent server.
   */
  answeredSoFar(): number | undefined {
    return this.answered?.();
  }

  async close(): Promise<void> {
    await closeQuietly(this.connection);
  }
}

/** Runs statements on the work connection; a cancel KILLs the query from the control connection. */
export class SessionExecutor implements StatementExecutor {
  constructor(
    private readonly work: WorkSession,
    private readonly control: ControlSession,
  ) {}

  accepts(): boolean {
    return true;
  }

  async execute(statement: PendingStatement, signal: AbortSignal): Promise<StatementOutcome> {
    return this.killable(signal, async () => {
      try {
        await this.work.run(statement.text);
        return { kind: 'applied' };
      } catch (error) {
        return outcomeUnknown(error) ? { kind: 'unknown', error } : { kind: 'failed', error };
      }
    });
  }

  /** `prefix` (sqlgate's bookkeeping), the statements and `suffix` in one round trip; see WorkSession.send. */
  executeAfter(
    prefix: readonly string[],
    statements: readonly PendingStatement[],
    signal: AbortSignal,
    suffix: readonly string[] = [],
  ): Promise<PacketOutcome> {
    return this.executeChain([{ prefix, statements, suffix }], signal);
  }

  /**
   * Several (bookkeeping, statements, suffix) segments in one round trip, in order; the server
   * stops at the first error, whose `at` counts every statement of the packet.
   */
  async executeChain(
    segments: readonly {
      readonly prefix: readonly string[];
      readonly statements: readonly PendingStatement[];
      readonly suffix?: readonly string[];
    }[],
    signal: AbortSignal,
  ): Promise<PacketOutcome> {
    const own = (text: string) => ({ text, migration: false });
    const parts = segments.flatMap((g) => [
      ...g.prefix.map(own),
      ...g.statements.map((s) => ({ text: s.text, migration: true })),
      ...(g.suffix ?? []).map(own),
    ]);
    return this.killable(signal, async () => {
      try {
        return await this.work.sendParts(parts);
      } catch (error) {
        // Switching multi-statement mode failed: nothing of the packet was sent.
        return outcomeUnknown(error) ? { kind: 'unknown', error } : { kind: 'failed', error, at: -1 };
      }
    });
  }

  private async killable<T>(signal: AbortSignal, run: () => Promise<T>): Promise<T> {
    const kill = () => {
      this.control.killQuery(this.work.id).catch(() => {});
    };
    signal.addEventListener('abort', kill, { once: true });
    try {
      return await run();
    } finally {
      signal.removeEventListener('abort', kill);
    }
  }
}
