// The `sqlgate_history` table: the truth about what ran (Flyway's schema history, per statement
// like Atlas). Each write is O(1) in the file's length: the statement hashes are written once,
// when a file starts, and the running hash grows one step per statement.
import { createHash } from 'node:crypto';
import type { RowDataPacket } from 'mysql2/promise';
import { quoteIdentifier } from '../db/connect.js';
import { sqlLiteral } from '../db/sql-literal.js';
import { RefusedError } from '../errors.js';
import type { RiskLevel } from '../policy/types.js';
import { extendHash } from './checksum.js';
import type { ControlSession } from './control.js';
import type { WorkSession } from './execute.js';
import type { FinishOutcome, InlineWrites, Progress, RevisionReadWriter, StartRecord } from './revisions.js';
import { HISTORY_TABLE, type HistoryRow, type HistoryStatus } from './types.js';

export { HISTORY_TABLE };

const create = (table: string) => `CREATE TABLE IF NOT EXISTS ${table} (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  version VARCHAR(64) NOT NULL,
  version_key VARCHAR(255) NOT NULL,
  description VARCHAR(255) NOT NULL,
  file VARCHAR(512) NOT NULL,
  checksum VARCHAR(80) NOT NULL,
  statements_total INT NOT NULL,
  statements_applied INT NOT NULL,
  applied_hash VARCHAR(64) NOT NULL,
  statement_hashes LONGTEXT NOT NULL,
  status VARCHAR(16) NOT NULL,
  inflight_statement INT NULL,
  error TEXT NULL,
  failed_statement INT NULL,
  failed_sql MEDIUMTEXT NULL,
  applied_by VARCHAR(255) NOT NULL,
  git_sha VARCHAR(64) NULL,
  pr INT NULL,
  risk VARCHAR(16) NULL,
  started_at DATETIME(3) NOT NULL,
  finished_at DATETIME(3) NULL,
  execution_ms BIGINT NULL,
  note TEXT NULL,
  work_connection BIGINT NULL,
  failed_hash CHAR(64) NULL,
  inflight_via VARCHAR(64) NULL,
  work_connected_at TIMESTAMP(3) NULL,
  UNIQUE KEY uk_sqlgate_version (version_key)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`;

/** Columns added after the first release; older tables get them on the next deploy. */
const ADDED = {
  work_connection: 'BIGINT NULL',
  failed_hash: 'CHAR(64) NULL',
  inflight_via: 'VARCHAR(64) NULL',
  work_connected_at: 'TIMESTAMP(3) NULL',
};

/** failed_sql keeps this much of a failed statement: the statement itself may exceed max_allowed_packet. */
const EXCERPT_CHARS = 2000;

function toRow(r: RowDataPacket): HistoryRow {
  return {
    version: r.version,
    versionKey: r.version_key,
    description: r.description,
    file: r.file,
    checksum: r.checksum,
    statementsTotal: Number(r.statements_total),
    statementsApplied: Number(r.statements_applied),
    appliedHash: r.applied_hash,
    statementHashes: JSON.parse(r.statement_hashes) as string[],
    status: r.status as HistoryStatus,
    inflightStatement: r.inflight_statement === null ? null : Number(r.inflight_statement),
    inflightVia: r.inflight_via ?? null,
    error: r.error,
    failedStatement: r.failed_statement === null ? null : Number(r.failed_statement),
    appliedBy: r.applied_by,
    gitSha: r.git_sha,
    pr: r.pr === null ? null : Number(r.pr),
    // Written only from a RiskLevel (StartRecord.risk), like status from a HistoryStatus.
    risk: r.risk as RiskLevel | null,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    executionMs: r.execution_ms === null ? null : Number(r.execution_ms),
    note: r.note,
    workConnection: r.work_connection == null ? null : Number(r.work_connection),
  };
}

const ER_SUBQUERY_NO_1_ROW = 1242;

/**
 * `?` that fails the whole write unless the deploy's control connection still holds the lock:
 * the subquery returns two rows, an error, when it does not. An error (not "0 rows updated")
 * stops a batch of writes at that point and rolls back the transaction it is part of.
 */
const GUARDED = '(SELECT ? UNION ALL SELECT 0 FROM DUAL WHERE NOT (IS_USED_LOCK(?) <=> ?))';

interface Write {
  readonly sql: string;
  readonly values: unknown[];
}

/** A write with its values in place (its own SQL has `?` only as placeholders). */
function inlined(w: Write): string {
  const parts = w.sql.split('?');
  if (parts.length !== w.values.length + 1) throw new Error('internal: placeholders and values differ');
  return parts.reduce((sql, part, i) => (i === 0 ? part : `${sql}${sqlLiteral(w.values[i - 1])}${part}`), '');
}

/**
 * After a write in a packet: fails (rather than letting the packet go on to the migration's
 * statement) when the write matched no row. `ROW_COUNT()` counts matched rows, as mysql2 asks
 * for found rows.
 */
const MATCHED_ONE_ROW = 'SET @sqlgate_check = (SELECT 1 UNION SELECT 2 FROM DUAL WHERE ROW_COUNT() <> 1)';

interface Queued {
  start?: { record: StartRecord; resume: boolean };
  progress: Progress;
  finish?: FinishOutcome;
}

const DONE_FIELDS =
  'finished_at = NOW(3), execution_ms = TIMESTAMPDIFF(MICROSECOND, started_at, NOW(3)) DIV 1000';

/** The history of one database. Writes go through the control connection, or inside the work connection's open transaction. */
export class MysqlRevisions implements RevisionReadWriter {
  private readonly queue = new Map<string, Queued>();
  private readonly durable = new Map<string, { applied: number; inflight: number | null }>();
  /** Files whose durable row names what runs its statement in flight (to clear it afterwards). */
  private readonly viaWritten = new Set<string>();
  private readonly table: string;

  constructor(
    private readonly control: ControlSession,
    private readonly database: string,
    /** The deploy lock and the control connection's id: every write checks it still holds it. */
    private readonly lock: { readonly name: string; readonly holder: number } = { name: '', holder: 0 },
    private readonly work?: WorkSession,
  ) {
    this.table = `${quoteIdentifier(database)}.${HISTORY_TABLE}`;
  }

  private async query<T = unknown>(sql: string, values: unknown[] = []): Promise<T> {
    const [result] = await this.control.query(sql, values);
    return result as T;
  }

  async exists(): Promise<boolean> {
    const rows = await this.query<RowDataPacket[]>(
      'SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?',
      [this.database, HISTORY_TABLE],
    );
    return rows.length > 0;
  }

  async ensure(): Promise<void> {
    await this.query(create(this.table));
    const have = await this.columns();
    const missing = Object.entries(ADDED).filter(([name]) => !have.has(name));
    if (missing.length > 0)
      await this.query(
        `ALTER TABLE ${this.table} ${missing.map(([name, type]) => `ADD COLUMN ${name} ${type}`).join(', ')}`,
      );
  }

  async read(): Promise<HistoryRow[]> {
    if (!(await this.exists())) return [];
    const rows = await this.query<RowDataPacket[]>(`SELECT * FROM ${this.table} ORDER BY id`);
    return rows.map(toRow);
  }

  start(record: StartRecord, resume: boolean, progress: Progress): void {
    this.queue.set(record.versionKey, { start: { record, resume }, progress });
  }

  progress(versionKey: string, progress: Progress): void {
    const queued = this.queue.get(versionKey);
    this.queue.set(versionKey, { ...queued, progress });
  }

  recorded(versionKey: string): { applied: number; inflight: number | null } | undefined {
    return this.durable.get(versionKey);
  }

  showsInFlight(): boolean {
    for (const r of this.durable.values()) if (r.inflight !== null) return true;
    return false;
  }

  private guard(value: unknown): unknown[] {
    return [value, this.lock.name, this.lock.holder];
  }

  private writeOf(key: string, q: Queued): Write {
    const p = q.progress;
    const status = q.finish?.status ?? (p.done ? 'success' : 'running');
    const ended = q.finish !== undefined || p.done;
    const failedSql = q.finish?.failedSql;
    const via = p.inflight === null ? null : (p.via ?? null);
    const failure = [
      q.finish?.error ?? null,
      q.finish?.failedStatement ?? null,
      failedSql === undefined ? null : failedSql.slice(0, EXCERPT_CHARS),
      failedSql === undefined ? null : createHash('sha256').update(failedSql).digest('hex'),
    ];
    if (q.start && !q.start.resume) {
      const s = q.start.record;
      return {
        sql: `INSERT INTO ${this.table} (version, version_key, description, file, checksum, statements_total, statements_applied,
            applied_hash, statement_hashes, status, inflight_statement, error, failed_statement, failed_sql, failed_hash,
            applied_by, git_sha, pr, risk, work_connection, inflight_via, started_at, finished_at, execution_ms, work_connected_at)
          VALUES (?, ?, ?, ?, ?, ${GUARDED}, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NOW(3), ${ended ? 'NOW(3)' : 'NULL'}, ${ended ? '0' : 'NULL'}, NOW(3))`,
        values: [
          s.version,
          s.versionKey,
          s.description,
          s.file,
          s.checksum,
          ...this.guard(s.statementsTotal),
          p.applied,
          p.appliedHash,
          JSON.stringify(s.statementHashes),
          status,
          p.inflight,
          ...failure,
          s.appliedBy,
          s.gitSha,
          s.pr,
          s.risk,
          s.connection,
          via,
        ],
      };
    }
    const sets = [
      `statements_applied = ${GUARDED}`,
      'applied_hash = ?',
      'inflight_statement = ?',
      'status = ?',
    ];
    const values: unknown[] = [...this.guard(p.applied), p.appliedHash, p.inflight, status];
    // A file's start (or resume) clears the failure columns and a finish sets them; the writes in
    // between leave them as they are, which keeps the per-statement write small.
    if (q.start || q.finish) {
      sets.push('error = ?', 'failed_statement = ?', 'failed_sql = ?', 'failed_hash = ?');
      values.push(...failure);
    }
    // Written only when it is or was set: most statements run on the deploy's own connection, and
    // every byte of the per-statement write counts on a file of many small statements.
    if (via !== null || this.viaWritten.has(key) || q.start) {
      sets.push('inflight_via = ?');
      values.push(via);
    }
    if (q.start) {
      const s = q.start.record;
      sets.push(
        'checksum = ?',
        'statements_total = ?',
        'statement_hashes = ?',
        'applied_by = ?',
        'git_sha = ?',
        'pr = ?',
        'risk = ?',
        'work_connection = ?',
        'work_connected_at = NOW(3)',
      );
      values.push(
        s.checksum,
        s.statementsTotal,
        JSON.stringify(s.statementHashes),
        s.appliedBy,
        s.gitSha,
        s.pr,
        s.risk,
        s.connection,
      );
    }
    if (ended) sets.push(DONE_FIELDS);
    else if (q.start) sets.push('finished_at = NULL');
    values.push(key);
    return { sql: `UPDATE ${this.table} SET ${sets.join(', ')} WHERE version_key = ?`, values };
  }

  async flush(options: { readonly inStatementTransaction?: boolean } = {}): Promise<void> {
    if (this.queue.size === 0) return;
    const entries = [...this.queue];
    const writes = entries.map(([key, q]) => this.writeOf(key, q));
    try {
      if (options.inStatementTransaction) {
        if (!this.work) throw new Error('no work connection to write the history in');
        const work = this.work;
        for (const w of writes) assertOne(await work.book(inlined(w), this.control.timeoutMs));
      } else if (writes.length === 1) {
        assertOne(await this.query((writes[0] as Write).sql, (writes[0] as Write).values));
      } else {
        // One round trip, one commit: everything queued is already true.
        const results = await this.query<unknown[]>(
          `START TRANSACTION; ${writes.map((w) => w.sql).join('; ')}; COMMIT`,
          writes.flatMap((w) => w.values),
        );
        for (const r of results.slice(1, -1)) assertOne(r);
      }
    } catch (error) {
      if ((error as { errno?: number }).errno === ER_SUBQUERY_NO_1_ROW) throw lockLost();
      throw error;
    }
    this.written(entries);
  }

  lockCheck(): string {
    return `SET @sqlgate_check = ${inlined({ sql: GUARDED, values: this.guard(1) })}`;
  }

  /** An error of one of inline()'s statements, as flush() would have thrown it. */
  writeError(error: unknown): unknown {
    return (error as { errno?: number }).errno === ER_SUBQUERY_NO_1_ROW ? lockLost() : error;
  }

  /**
   * The queued writes as statements to send ahead of a migration's statement on the work
   * connection, in the same packet: literals inlined, each followed by a check that fails the
   * packet unless it matched its row (and every write fails once the lock is lost). With
   * `ownTransaction`, several writes commit together; without, they join the caller's transaction.
   * `onlyInFlight`: just the files whose durable row shows a statement in flight (its completion).
   * Null when nothing is queued.
   */
  inline(options: {
    readonly ownTransaction: boolean;
    readonly onlyInFlight?: boolean;
  }): InlineWrites | null {
    const entries = [...this.queue].filter(
      ([key]) => !options.onlyInFlight || (this.durable.get(key)?.inflight ?? null) !== null,
    );
    if (entries.length === 0) return null;
    const writes = entries.flatMap(([key, q]) => [inlined(this.writeOf(key, q)), MATCHED_ONE_ROW]);
    for (const [key] of entries) this.queue.delete(key);
    const written = () => this.written(entries);
    const unwritten = () => this.requeue(entries);
    return {
      statements:
        options.ownTransaction && entries.length > 1 ? ['START TRANSACTION', ...writes, 'COMMIT'] : writes,
      written,
      unwritten,
      settle: async () => {
        const committed = await this.showsAll(entries).catch(() => undefined);
        // Unreadable: count them as written, so that what follows is reported in doubt.
        if (committed === false) unwritten();
        else written();
        return committed === undefined ? 'unknown' : committed ? 'written' : 'unwritten';
      },
      shows: () => this.showsAll(entries).catch(() => undefined),
      inserted: async () => {
        const keys = entries.filter(([, q]) => q.start !== undefined && !q.start.resume).map(([key]) => key);
        if (keys.length === 0) return undefined;
        const rows = await this.query<RowDataPacket[]>(
          `SELECT version_key FROM ${this.table} WHERE version_key IN (?)`,
          [keys],
        ).catch(() => undefined);
        return rows === undefined ? undefined : rows.length === keys.length;
      },
    };
  }

  /** Put writes that did not run back, under anything queued for the same file since. */
  private requeue(entries: readonly [string, Queued][]): void {
    for (const [key, q] of entries) {
      const later = this.queue.get(key);
      this.queue.delete(key);
      this.queue.set(key, later ? { ...later, ...(q.start ? { start: q.start } : {}) } : q);
    }
  }

  /** Whether every file's row reads as these writes left it. */
  private async showsAll(entries: readonly [string, Queued][]): Promise<boolean> {
    const rows = await this.query<RowDataPacket[]>(
      `SELECT version_key AS k, statements_applied AS a, inflight_statement AS f, status AS s FROM ${this.table} WHERE version_key IN (?)`,
      [entries.map(([key]) => key)],
    );
    const byKey = new Map(rows.map((r) => [String(r.k), r]));
    return entries.every(([key, q]) => {
      const r = byKey.get(key);
      const status = q.finish?.status ?? (q.progress.done ? 'success' : 'running');
      return (
        r !== undefined &&
        Number(r.a) === q.progress.applied &&
        (r.f === null ? null : Number(r.f)) === q.progress.inflight &&
        r.s === status
      );
    });
  }

  /** Writes that have run: durable now, or at the COMMIT of the transaction they joined. */
  private written(entries: readonly [string, Queued][]): void {
    for (const [key, q] of entries) {
      // Something queued since (a later state of the same file) is still to be written.
      if (this.queue.get(key) === q) this.queue.delete(key);
      this.durable.set(key, { applied: q.progress.applied, inflight: q.progress.inflight });
      if (q.progress.inflight !== null && q.progress.via) this.viaWritten.add(key);
      else this.viaWritten.delete(key);
    }
  }

  async finish(versionKey: string, progress: Progress, outcome: FinishOutcome): Promise<void> {
    const queued = this.queue.get(versionKey);
    this.queue.set(versionKey, { ...queued, progress, finish: outcome });
    await this.flush();
  }

  async markInDoubt(key: string): Promise<void> {
    await this.query(
      `UPDATE ${this.table} SET status = 'in-doubt', finished_at = NOW(3) WHERE version_key = ? AND status = 'running'`,
      [key],
    );
  }

  async rolledBack(versionKey: string, note: string): Promise<void> {
    try {
      assertOne(
        await this.query(
          `UPDATE ${this.table} SET status = 'rolled-back', finished_at = NOW(3), note = CONCAT_WS('\\n', note, ?)
            WHERE version_key = ? AND status = 'success' AND 1 = ${GUARDED}`,
          [note, versionKey, ...this.guard(1)],
        ),
      );
    } catch (error) {
      if ((error as { errno?: number }).errno === ER_SUBQUERY_NO_1_ROW) throw lockLost();
      throw error;
    }
  }

  /** The history table's columns, lower case (an older sqlgate's table lacks the ADDED ones). */
  private async columns(): Promise<Set<string>> {
    const rows = await this.query<RowDataPacket[]>(
      'SELECT COLUMN_NAME AS c FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?',
      [this.database, HISTORY_TABLE],
    );
    return new Set(rows.map((r) => String(r.c).toLowerCase()));
  }

  async stillRunning(row: HistoryRow): Promise<{ connection: number; seconds: number } | null> {
    if (row.workConnection === null) return null;
    // Connection ids start again after a restart: a thread with the id is the deploy's only if
    // the server has been up since the deploy connected (give or take the 2 s that whole-second
    // uptime and clocks can be off by, on the side of "still running"), and never the one asking.
    // Uptime comes from SHOW GLOBAL STATUS, which MySQL and MariaDB both have.
    // A table an older sqlgate made, not deployed to since, has only started_at.
    // Unreadable uptime counts as "up for ever": the thread is then taken as the deploy's.
    const status = await this.query<RowDataPacket[]>("SHOW GLOBAL STATUS LIKE 'Uptime'");
    const uptime = Number(status[0]?.Value);
    const since = (await this.columns()).has('work_connected_at')
      ? 'COALESCE(work_connected_at, started_at)'
      : 'started_at';
    const rows = await this.query<RowDataPacket[]>(
      `SELECT ID AS id, TIME AS seconds FROM information_schema.PROCESSLIST
        WHERE ID = ? AND ID <> CONNECTION_ID() AND COMMAND NOT IN ('Sleep', 'Killed')
          AND (SELECT UNIX_TIMESTAMP(${since}) FROM ${this.table} WHERE version_key = ?)
            >= UNIX_TIMESTAMP() - ?`,
      [row.workConnection, row.versionKey, Number.isFinite(uptime) ? uptime + 2 : Number.MAX_SAFE_INTEGER],
    );
    const r = rows[0];
    return r ? { connection: Number(r.id), seconds: Number(r.seconds) } : null;
  }

  async repair(
    row: HistoryRow,
    mark: 'applied' | 'not-applied',
    by: string,
    statementHash?: string,
  ): Promise<HistoryRow> {
    const inflight = row.inflightStatement ?? row.statementsApplied;
    const applied = mark === 'applied' ? inflight + 1 : inflight;
    const hash = row.statementHashes[inflight] ?? statementHash;
    // Rows written before every hash was stored at the start hold only the applied ones.
    const hashes =
      mark === 'applied' && row.statementHashes.length <= inflight && hash
        ? [...row.statementHashes, hash]
        : row.statementHashes;
    const done = applied >= row.statementsTotal;
    const note = `${new Date().toISOString()} ${by}: statement ${inflight + 1} marked ${mark}`;
    await this.query(
      `UPDATE ${this.table} SET status = ?, statements_applied = ?, statement_hashes = ?, applied_hash = ?, inflight_statement = NULL, inflight_via = NULL,
         error = ?, note = CONCAT_WS('\\n', note, ?) WHERE version_key = ?`,
      [
        done ? 'success' : 'failed',
        applied,
        JSON.stringify(hashes),
        mark === 'applied' && hash ? extendHash(row.appliedHash, hash) : row.appliedHash,
        done ? null : `repaired: resume at statement ${applied + 1}`,
        note,
        row.versionKey,
      ],
    );
    const rows = await this.query<RowDataPacket[]>(`SELECT * FROM ${this.table} WHERE version_key = ?`, [
      row.versionKey,
    ]);
    return toRow(rows[0] as RowDataPacket);
  }
}

function lockLost(): RefusedError {
  return new RefusedError(
    'the deploy lock was lost (its connection was reset or killed); stopped before the next statement',
  );
}

/** A write that matched no row means the history changed under the deploy: stop. */
function assertOne(result: unknown): void {
  if ((result as { affectedRows?: number }).affectedRows !== 1) throw lockLost();
}
