// Several statements in one packet, on a connection that otherwise refuses them. The deploy
// sends its own bookkeeping ahead of a migration's statement in one round trip, but a migration
// statement that sqlgate might have split wrongly must never run as two: so multi-statement mode
// is switched on only while such a packet is sent, with COM_SET_OPTION (MariaDB and MySQL's
// command for changing it on an open connection), and off again before a statement that contains
// a `;`. mysql2 has no call for the command, so it is queued like one of its own.
import { EventEmitter } from 'node:events';
import type { Connection } from 'mysql2/promise';

const COM_SET_OPTION = 0x1b;
const MULTI_STATEMENTS_ON = 0;
const MULTI_STATEMENTS_OFF = 1;

/** The parts of mysql2's connection a queued command uses (lib/base/connection.js). */
interface CoreConnection {
  addCommand(command: unknown): unknown;
  query(sql: string, callback: (error: unknown, results: unknown) => void): { _resultIndex?: number };
  _resetSequenceId(): void;
  _bumpSequenceId(n: number): void;
  write(buffer: Buffer): void;
  clientEncoding: string;
}

interface Reply {
  isError(): boolean;
  asError(encoding: string): Error;
}

/** COM_SET_OPTION as a mysql2 command: its state machine is `execute(packet)` until it returns true. */
class SetOption extends EventEmitter {
  private sent = false;
  private readonly done: (error: Error | null) => void;
  /**
   * What mysql2 calls instead of execute() when the connection is already closed or fails
   * (without it the error would only be emitted on the connection, and the caller would wait
   * for ever).
   */
  readonly onResult: (error: Error | null) => void;
  constructor(
    private readonly option: number,
    done: (error: Error | null) => void,
  ) {
    super();
    let settled = false;
    this.done = (error) => {
      if (settled) return;
      settled = true;
      done(error);
    };
    this.onResult = (error) =>
      this.done(error ?? new Error('the connection closed before the server answered'));
  }

  stateName(): string {
    return this.sent ? 'reply' : 'start';
  }

  execute(packet: Reply | null, connection: CoreConnection): boolean {
    if (!this.sent) {
      this.sent = true;
      connection._resetSequenceId();
      // Payload: the command byte and the option as a 2-byte integer; header: length 3, sequence 0.
      connection.write(Buffer.from([3, 0, 0, 0, COM_SET_OPTION, this.option, 0]));
      connection._bumpSequenceId(1);
      return false;
    }
    // The server answers with an EOF (or OK) packet, or an error.
    this.done(packet?.isError() ? packet.asError(connection.clientEncoding) : null);
    this.emit('end');
    return true;
  }
}

function core(connection: Connection): CoreConnection {
  return (connection as unknown as { connection: CoreConnection }).connection;
}

/** Allow (or refuse again) several statements per query on this connection. */
export function setMultiStatements(connection: Connection, on: boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    core(connection).addCommand(
      new SetOption(on ? MULTI_STATEMENTS_ON : MULTI_STATEMENTS_OFF, (error) =>
        error ? reject(error) : resolve(),
      ),
    );
  });
}

export type PacketResult =
  | { readonly ok: true; readonly results: readonly unknown[] }
  /** The server ran statements 0..at-1 and stopped at `at` with `error`. */
  | { readonly ok: false; readonly error: unknown; readonly at: number };

/**
 * Send `statements` as one query (multi-statement mode must be on). The server runs them in order
 * and stops at the first error; which one failed is read from mysql2's count of finished results.
 * `watch` is given that count while the query runs (how many have answered so far).
 */
export function sendPacket(
  connection: Connection,
  statements: readonly string[],
  watch?: (answered: () => number) => void,
): Promise<PacketResult> {
  return new Promise((resolve) => {
    const query = core(connection).query(statements.join(';\n'), (error, results) => {
      if (!error) {
        resolve({ ok: true, results: statements.length === 1 ? [results] : (results as unknown[]) });
        return;
      }
      const at = query._resultIndex;
      // Without the count the failing statement cannot be told: treat it as the last one, the
      // statement itself, which is the cautious reading (its outcome is reported, not assumed).
      // The count runs past the last statement when it returned result sets before failing (a
      // CALL): only the last statement can, so that is the one that failed.
      resolve({
        ok: false,
        error,
        at: typeof at === 'number' ? Math.min(at, statements.length - 1) : statements.length - 1,
      });
    });
    watch?.(() => Math.min(query._resultIndex ?? 0, statements.length - 1));
  });
}
