// A big table and a writer that keeps changing it while an online schema change runs: the writer
// keeps a model of every row so a test can prove no write was lost, and times every write.
import type mysql from 'mysql2/promise';
import type { MariaDbServer } from './mariadb.js';

export interface TableSummary {
  readonly count: number;
  readonly sumV: bigint;
  readonly sumIdV: bigint;
}

/** `t(id PK, v)` with rows 1..n where v = id (MariaDB's sequence engine fills it in one statement). */
export async function fillTable(
  server: MariaDbServer,
  database: string,
  table: string,
  rows: number,
  valueType = 'BIGINT',
) {
  await server.query(`CREATE DATABASE IF NOT EXISTS ${database}`);
  await server.query(`DROP TABLE IF EXISTS ${database}.${table}`);
  await server.query(
    `CREATE TABLE ${database}.${table} (id BIGINT NOT NULL PRIMARY KEY, v ${valueType} NOT NULL) ENGINE=InnoDB`,
  );
  await server.query(`INSERT INTO ${table} (id, v) SELECT seq, seq FROM seq_1_to_${rows}`, database);
  // Fresh statistics, so information_schema's row estimate is close to the real count.
  await server.query(`ANALYZE TABLE ${database}.${table}`);
}

export async function summarise(
  server: MariaDbServer,
  database: string,
  table: string,
): Promise<TableSummary> {
  const [row] = await server.query<{ n: string; sv: string | null; siv: string | null }>(
    `SELECT COUNT(*) AS n, CAST(SUM(v) AS CHAR) AS sv, CAST(SUM(id * v) AS CHAR) AS siv FROM ${database}.${table}`,
  );
  return { count: Number(row?.n), sumV: BigInt(row?.sv ?? 0), sumIdV: BigInt(row?.siv ?? 0) };
}

export class ConcurrentWriter {
  private readonly rows = new Map<number, number>();
  private nextId: number;
  private running = false;
  private loop: Promise<void> | undefined;
  readonly errors: string[] = [];
  longestWriteMs = 0;
  writes = 0;

  constructor(
    private readonly connection: mysql.Connection,
    private readonly table: string,
    rows: number,
    private readonly pauseMs = 5,
  ) {
    for (let id = 1; id <= rows; id++) this.rows.set(id, id);
    this.nextId = rows + 1_000_000;
  }

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  /** What the table must hold if no write was lost. */
  expected(): TableSummary {
    let sumV = 0n;
    let sumIdV = 0n;
    for (const [id, v] of this.rows) {
      sumV += BigInt(v);
      sumIdV += BigInt(id) * BigInt(v);
    }
    return { count: this.rows.size, sumV, sumIdV };
  }

  private async timed(sql: string, params: unknown[]): Promise<number> {
    const start = performance.now();
    const [result] = await this.connection.query(sql, params);
    this.longestWriteMs = Math.max(this.longestWriteMs, performance.now() - start);
    this.writes++;
    return (result as { affectedRows: number }).affectedRows;
  }

  private async run(): Promise<void> {
    let i = 0;
    while (this.running) {
      i++;
      try {
        if (i % 3 === 0) {
          const id = this.nextId++;
          await this.timed(`INSERT INTO ${this.table} (id, v) VALUES (?, ?)`, [id, i]);
          this.rows.set(id, i);
        } else if (i % 3 === 1) {
          const id = 1 + ((i * 7919) % 200_000);
          if ((await this.timed(`UPDATE ${this.table} SET v = ? WHERE id = ?`, [i, id])) === 1)
            this.rows.set(id, i);
        } else if (i % 30 === 2) {
          const id = 1 + ((i * 104_729) % 200_000);
          if ((await this.timed(`DELETE FROM ${this.table} WHERE id = ?`, [id])) === 1) this.rows.delete(id);
        }
      } catch (error) {
        this.errors.push((error as Error).message);
      }
      await new Promise((r) => setTimeout(r, this.pauseMs));
    }
  }
}
