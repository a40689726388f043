// The same table-rewriting ALTER on 1M rows, inline vs through pt-online-schema-change, with a
// writer inserting, updating and deleting throughout: total time, and the longest single write
// the writer waited for (the stall users feel). Both on one throwaway MariaDB, in one run.
import { performance } from 'node:perf_hooks';
import { parseDatabaseUrl } from '../src/db/url.js';
import { ptOnlineSchemaChange } from '../src/online/ptosc.js';
import { MariaDbServer } from '../test/support/mariadb.js';
import { ConcurrentWriter, fillTable, summarise } from '../test/support/online-table.js';
import { ms, report } from './measure.js';

const ROWS = 1_000_000;
// INT → BIGINT cannot be done in place: MariaDB copies the table and blocks writes meanwhile.
const CLAUSE = 'MODIFY COLUMN v BIGINT NOT NULL';

interface Run {
  readonly totalMs: number;
  readonly longestWriteMs: number;
  readonly writes: number;
  readonly lost: boolean;
}

async function withWriter(server: MariaDbServer, table: string, change: () => Promise<void>): Promise<Run> {
  const connection = await server.connection('bench');
  const writer = new ConcurrentWriter(connection, table, ROWS, 5);
  writer.start();
  await new Promise((r) => setTimeout(r, 500));
  const start = performance.now();
  await change();
  const totalMs = performance.now() - start;
  await new Promise((r) => setTimeout(r, 500));
  await writer.stop();
  await connection.end();
  if (writer.errors.length > 0) throw new Error(`writer errors: ${writer.errors.slice(0, 3).join('; ')}`);
  const actual = await summarise(server, 'bench', table);
  const expected = writer.expected();
  return {
    totalMs,
    longestWriteMs: writer.longestWriteMs,
    writes: writer.writes,
    lost: actual.count !== expected.count || actual.sumIdV !== expected.sumIdV,
  };
}

export async function benchOnline(): Promise<void> {
  const server = await MariaDbServer.start();
  try {
    await fillTable(server, 'bench', 'inline_t', ROWS, 'INT');
    await fillTable(server, 'bench', 'online_t', ROWS, 'INT');

    const inline = await withWriter(server, 'inline_t', async () => {
      const c = await server.connection('bench');
      await c.query(`ALTER TABLE inline_t ${CLAUSE}`);
      await c.end();
    });
    const online = await withWriter(server, 'online_t', async () => {
      const result = await ptOnlineSchemaChange.run({
        target: parseDatabaseUrl('BENCH_URL', server.url),
        database: 'bench',
        table: 'online_t',
        clause: CLAUSE,
        options: {
          chunkSize: 1000,
          maxLoad: 'Threads_running=25',
          criticalLoad: 'Threads_running=50',
          preserveTriggers: false,
        },
        lockWaitTimeoutSeconds: 60,
        log: () => {},
      });
      if (!result.ok) throw new Error(`pt-online-schema-change failed: ${result.error}`);
    });
    report(
      `online schema change: ALTER TABLE ... ${CLAUSE} on ${ROWS.toLocaleString('en-US')} rows, writer throughout`,
      [
        ['inline ALTER (reference): total', ms(inline.totalMs)],
        ['inline ALTER: longest write stall', ms(inline.longestWriteMs)],
        [
          'inline ALTER: writes during the run / rows lost',
          `${inline.writes} / ${inline.lost ? 'yes' : 'none'}`,
        ],
        ['pt-online-schema-change: total', ms(online.totalMs)],
        ['pt-online-schema-change: longest write stall', ms(online.longestWriteMs)],
        [
          'pt-online-schema-change: writes during the run / rows lost',
          `${online.writes} / ${online.lost ? 'yes' : 'none'}`,
        ],
        ['total time ratio online / inline', `${(online.totalMs / inline.totalMs).toFixed(2)}x`],
        [
          'longest stall ratio inline / online',
          `${(inline.longestWriteMs / online.longestWriteMs).toFixed(1)}x`,
        ],
      ],
    );
  } finally {
    await server.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchOnline();
