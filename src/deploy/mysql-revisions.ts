// The `sqlgate_history` table: the truth about what ran, written before and after every
// statement so a crash leaves a true record (Flyway's schema history, per statement like Atlas).
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { quoteIdentifier } from '../db/connect.js';
import { RefusedError } from '../errors.js';
import type { FinishOutcome, RevisionReadWriter, StartRecord } from './revisions.js';
import type { HistoryRow, HistoryStatus } from './types.js';

export const HISTORY_TABLE = 'sqlgate_history';

const CREATE = `CREATE TABLE IF NOT EXISTS ${HISTORY_TABLE} (
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
  UNIQUE KEY uk_sqlgate_version (version_key)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`;

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
    error: r.error,
    failedStatement: r.failed_statement === null ? null : Number(r.failed_statement),
    appliedBy: r.applied_by,
    gitSha: r.git_sha,
    pr: r.pr === null ? null : Number(r.pr),
    risk: r.risk,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    executionMs: r.execution_ms === null ? null : Number(r.execution_ms),
    note: r.note,
  };
}

/** Fails unless this connection still holds the deploy lock (merged into each write: one round trip). */
function assertChanged(result: unknown): void {
  if ((result as { affectedRows?: number }).affectedRows !== 1) {
    throw new RefusedError(
      'the deploy lock was lost (the connection was reset or killed); stopping before the next statement',
    );
  }
}
const HOLDS_LOCK = 'IS_USED_LOCK(?) = CONNECTION_ID()';

/** The history of one database, on a connection whose default database it is. */
export class MysqlRevisions implements RevisionReadWriter {
  constructor(
    private readonly c: Connection,
    private readonly database: string,
    /** The deploy lock this connection holds; writes that need it check it. */
    private readonly lock = '',
  ) {}

  async exists(): Promise<boolean> {
    const [rows] = await this.c.query<RowDataPacket[]>(
      'SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?',
      [this.database, HISTORY_TABLE],
    );
    return rows.length > 0;
  }

  async ensure(): Promise<void> {
    await this.c.query(CREATE);
  }

  async read(): Promise<HistoryRow[]> {
    if (!(await this.exists())) return [];
    const [rows] = await this.c.query<RowDataPacket[]>(
      `SELECT * FROM ${quoteIdentifier(this.database)}.${HISTORY_TABLE} ORDER BY id`,
    );
    return rows.map(toRow);
  }

  async start(s: StartRecord, resume: boolean, firstStatement: number): Promise<void> {
    if (resume) {
      const [result] = await this.c.query(
        `UPDATE ${HISTORY_TABLE} SET status = 'running', checksum = ?, statements_total = ?, error = NULL, failed_statement = NULL,
           failed_sql = NULL, inflight_statement = ?, applied_by = ?, git_sha = ?, pr = ?, risk = ?, finished_at = NULL
         WHERE version_key = ? AND ${HOLDS_LOCK}`,
        [
          s.checksum,
          s.statementsTotal,
          firstStatement,
          s.appliedBy,
          s.gitSha,
          s.pr,
          s.risk,
          s.versionKey,
          this.lock,
        ],
      );
      return assertChanged(result);
    }
    const [result] = await this.c.query(
      `INSERT INTO ${HISTORY_TABLE} (version, version_key, description, file, checksum, statements_total, statements_applied, applied_hash,
         statement_hashes, status, inflight_statement, applied_by, git_sha, pr, risk, started_at)
       SELECT ?, ?, ?, ?, ?, ?, 0, '', '[]', 'running', ?, ?, ?, ?, ?, NOW(3) FROM DUAL WHERE ${HOLDS_LOCK}`,
      [
        s.version,
        s.versionKey,
        s.description,
        s.file,
        s.checksum,
        s.statementsTotal,
        firstStatement,
        s.appliedBy,
        s.gitSha,
        s.pr,
        s.risk,
        this.lock,
      ],
    );
    assertChanged(result);
  }

  async inflight(key: string, statement: number): Promise<void> {
    const [result] = await this.c.query(
      `UPDATE ${HISTORY_TABLE} SET inflight_statement = ? WHERE version_key = ? AND ${HOLDS_LOCK}`,
      [statement, key, this.lock],
    );
    assertChanged(result);
  }

  async applied(
    key: string,
    applied: number,
    hashes: readonly string[],
    appliedHash: string,
    done: boolean,
  ): Promise<void> {
    await this.c.query(
      `UPDATE ${HISTORY_TABLE} SET statements_applied = ?, statement_hashes = ?, applied_hash = ?, inflight_statement = NULL
         ${done ? ", status = 'success', finished_at = NOW(3), execution_ms = TIMESTAMPDIFF(MICROSECOND, started_at, NOW(3)) DIV 1000" : ''}
       WHERE version_key = ?`,
      [applied, JSON.stringify(hashes), appliedHash, key],
    );
  }

  async finish(key: string, outcome: FinishOutcome): Promise<void> {
    await this.c.query(
      `UPDATE ${HISTORY_TABLE} SET status = ?, error = ?, failed_statement = ?, failed_sql = ?,
         ${outcome.status === 'in-doubt' ? '' : 'inflight_statement = NULL,'}
         finished_at = NOW(3), execution_ms = TIMESTAMPDIFF(MICROSECOND, started_at, NOW(3)) DIV 1000 WHERE version_key = ?`,
      [
        outcome.status,
        outcome.error ?? null,
        outcome.failedStatement ?? null,
        outcome.failedSql ?? null,
        key,
      ],
    );
  }

  async markInDoubt(key: string): Promise<void> {
    await this.c.query(
      `UPDATE ${HISTORY_TABLE} SET status = 'in-doubt', finished_at = NOW(3) WHERE version_key = ? AND status = 'running'`,
      [key],
    );
  }

  async repair(
    row: HistoryRow,
    mark: 'applied' | 'not-applied',
    by: string,
    statementHash?: string,
  ): Promise<HistoryRow> {
    const inflight = row.inflightStatement ?? row.statementsApplied;
    const applied = mark === 'applied' ? inflight + 1 : inflight;
    const hashes =
      mark === 'applied' && statementHash
        ? [...row.statementHashes.slice(0, inflight), statementHash]
        : row.statementHashes.slice(0, inflight);
    const done = applied >= row.statementsTotal;
    const note = `${new Date().toISOString()} ${by}: statement ${inflight + 1} marked ${mark}`;
    await this.c.query(
      `UPDATE ${HISTORY_TABLE} SET status = ?, statements_applied = ?, statement_hashes = ?, inflight_statement = NULL,
         error = ?, note = CONCAT_WS('\\n', note, ?) WHERE version_key = ?`,
      [
        done ? 'success' : 'failed',
        applied,
        JSON.stringify(hashes),
        done ? null : `repaired: resume at statement ${applied + 1}`,
        note,
        row.versionKey,
      ],
    );
    const [rows] = await this.c.query<RowDataPacket[]>(
      `SELECT * FROM ${HISTORY_TABLE} WHERE version_key = ?`,
      [row.versionKey],
    );
    return toRow(rows[0] as RowDataPacket);
  }
}
