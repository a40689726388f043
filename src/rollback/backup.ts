// DML backups (`backupDml: <level>`, as Bytebase's prior backup): before an UPDATE or DELETE with
// a WHERE runs, the rows it will touch are copied into `sqlgate_backup.<database>__<table>_<version>_<n>`
// in the same transaction as the statement, and a row of `sqlgate_backup.sqlgate_backups` records
// the copy, in that transaction too: the statement, its backup and the record commit together or
// not at all. `sqlgate rollback` restores them.
//
// The deploy engine asks this executor first; it accepts only the statements it can back up with
// certainty (dml-target.ts) in files that need it, and runs them on its own connection (the
// engine's work connection is not handed to executors), so session state a migration set with an
// earlier statement (SET, USE) does not apply to them. Statements inside a file's own
// START TRANSACTION ... COMMIT run without a backup.
import { createHash } from 'node:crypto';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { closeQuietly, connect, quoteIdentifier } from '../db/connect.js';
import type { ConnectionTarget } from '../db/url.js';
import {
  outcomeUnknown,
  type PendingStatement,
  type StatementExecutor,
  type StatementOutcome,
} from '../deploy/execute.js';
import { type MigrationFile, versionKey } from '../deploy/types.js';
import { compareLevels, type Database, type Policy, type RiskLevel } from '../policy/types.js';
import { dmlTarget } from './dml-target.js';

export const BACKUP_SCHEMA = 'sqlgate_backup';
const CATALOG = `${BACKUP_SCHEMA}.sqlgate_backups`;

const CREATE_CATALOG = `CREATE TABLE IF NOT EXISTS ${CATALOG} (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  database_name VARCHAR(64) NOT NULL,
  version_key VARCHAR(255) NOT NULL,
  file VARCHAR(512) NOT NULL,
  statement INT NOT NULL,
  kind VARCHAR(8) NOT NULL,
  source_table VARCHAR(300) NOT NULL,
  backup_table VARCHAR(64) NOT NULL,
  keyed TINYINT NOT NULL,
  row_count BIGINT NOT NULL,
  created_at DATETIME(3) NOT NULL,
  restored_at DATETIME(3) NULL,
  KEY ix_sqlgate_backups_version (database_name, version_key)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`;

/** One backup, as the catalog records it. */
export interface DmlBackup {
  readonly versionKey: string;
  /** 1-based statement of the migration. */
  readonly statement: number;
  readonly kind: 'UPDATE' | 'DELETE';
  /** The table as the statement names it. */
  readonly sourceTable: string;
  readonly backupTable: string;
  /** Whether the table has a primary or unique key (an UPDATE's rows can be put back only by key). */
  readonly keyed: boolean;
  readonly rows: number;
  readonly restored: boolean;
}

/** `<database>__<table>_<version>_<n>`, shortened with a hash when longer than MySQL's 64 characters. */
export function backupTableName(
  database: string,
  table: string,
  versionKey: string,
  statement: number,
): string {
  const name = `${database}__${table}_${versionKey.replace(/\./g, '_')}_${statement}`;
  if (name.length <= 64) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
  return `${name.slice(0, 55)}_${hash}`;
}

export interface BackupExecutorInput {
  readonly target: ConnectionTarget;
  readonly database: string;
  readonly lockWaitTimeoutSeconds: number;
  /** Whether a file's DML is to be backed up (its risk reaches `backupDml`). */
  readonly wanted: (file: string) => boolean;
  /** The history key of a file's version. */
  readonly versionKeyOf: (file: string) => string;
}

export class DmlBackupExecutor implements StatementExecutor {
  private connection: Connection | undefined;

  constructor(private readonly input: BackupExecutorInput) {}

  accepts(statement: PendingStatement): boolean {
    return this.input.wanted(statement.file) && dmlTarget(statement.text) !== undefined;
  }

  private async open(): Promise<Connection> {
    if (!this.connection) {
      const c = await connect(this.input.target, { database: this.input.database });
      c.on('error', () => {});
      await c.query('SET SESSION lock_wait_timeout = ?', [this.input.lockWaitTimeoutSeconds]);
      this.connection = c;
    }
    return this.connection;
  }

  async execute(statement: PendingStatement, signal: AbortSignal): Promise<StatementOutcome> {
    const target = dmlTarget(statement.text);
    if (!target) return { kind: 'failed', error: new Error('not a statement this executor backs up') };
    const { database } = this.input;
    const versionKey = this.input.versionKeyOf(statement.file);
    const backup = backupTableName(database, target.tableName, versionKey, statement.index + 1);
    const qualified = `${BACKUP_SCHEMA}.${quoteIdentifier(backup)}`;
    let c: Connection;
    try {
      c = await this.open();
    } catch (error) {
      return { kind: 'failed', error };
    }
    const kill = () => {
      connect(this.input.target)
        .then(async (k) => {
          await k.query(`KILL QUERY ${Number(c.threadId)}`).catch(() => {});
          await closeQuietly(k);
        })
        .catch(() => {});
    };
    signal.addEventListener('abort', kill, { once: true });
    let began = false;
    let committing = false;
    try {
      // DDL commits implicitly, so the backup table is made before the transaction: empty, and
      // made again when a failed attempt is retried.
      await c.query(`CREATE DATABASE IF NOT EXISTS ${BACKUP_SCHEMA}`);
      await c.query(CREATE_CATALOG);
      await c.query(`DROP TABLE IF EXISTS ${qualified}`);
      await c.query(`CREATE TABLE ${qualified} LIKE ${target.table}`);
      const [keys] = await c.query<RowDataPacket[]>(
        `SELECT 1 FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND NON_UNIQUE = 0 LIMIT 1`,
        [BACKUP_SCHEMA, backup],
      );
      const names = (await storedColumns(c, backup)).join(', ');
      await c.query('START TRANSACTION');
      began = true;
      // Each part on its own lines: the statement's text may end a line with a `--` comment.
      const [copied] = await c.query(
        `INSERT INTO ${qualified} (${names})\nSELECT ${names} FROM ${target.from}\nWHERE ${target.where}\n`,
      );
      await c.query(statement.text);
      await c.query(
        `INSERT INTO ${CATALOG} (database_name, version_key, file, statement, kind, source_table, backup_table, keyed, row_count, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NOW(3))`,
        [
          database,
          versionKey,
          statement.file,
          statement.index + 1,
          target.kind,
          target.table,
          backup,
          keys.length > 0 ? 1 : 0,
          (copied as { affectedRows?: number }).affectedRows ?? 0,
        ],
      );
      committing = true;
      await c.query('COMMIT');
      return { kind: 'applied' };
    } catch (error) {
      const lost = outcomeUnknown(error);
      if (lost) this.connection = undefined;
      // Only a COMMIT without its reply leaves the outcome open: a connection lost before it
      // rolled the transaction back on the server, statement and copy alike.
      if (lost && committing) return { kind: 'unknown', error };
      if (began && !lost) await c.query('ROLLBACK').catch(() => {});
      return { kind: 'failed', error };
    } finally {
      signal.removeEventListener('abort', kill);
    }
  }

  async close(): Promise<void> {
    if (this.connection) await closeQuietly(this.connection);
    this.connection = undefined;
  }
}

/**
 * The backup executor for one database's deploy, or undefined when the policy asks for none. A
 * file's level is the one its PR's check gave it in this environment; a deploy that does not
 * know it (the CLI) backs up.
 */
export function dmlBackupsFor(input: {
  readonly policy: Policy;
  readonly database: Database;
  readonly target: ConnectionTarget;
  readonly files: readonly MigrationFile[];
  readonly lockWaitTimeoutSeconds: number;
  readonly riskOf?: (path: string, environment: string) => RiskLevel | null;
}): DmlBackupExecutor | undefined {
  const required = input.policy.risk.backupDml;
  if (!required) return undefined;
  const { database } = input;
  const keys = new Map(input.files.map((f) => [f.name.path, versionKey(f.name.parts)]));
  return new DmlBackupExecutor({
    target: input.target,
    database: database.name,
    lockWaitTimeoutSeconds: input.lockWaitTimeoutSeconds,
    wanted: (file) => {
      const level = input.riskOf?.(file, database.environment) ?? null;
      return level === null || compareLevels(level, required.level) >= 0;
    },
    versionKeyOf: (file) => keys.get(file) ?? file,
  });
}

/** The backups of a database's versions, by history key; empty when nothing was ever backed up. */
export async function readBackups(
  c: { query: (sql: string, values?: unknown[]) => Promise<[unknown, unknown]> },
  database: string,
): Promise<Map<string, DmlBackup[]>> {
  const [exists] = (await c.query(
    'SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?',
    [BACKUP_SCHEMA, 'sqlgate_backups'],
  )) as [RowDataPacket[], unknown];
  const backups = new Map<string, DmlBackup[]>();
  if (exists.length === 0) return backups;
  const [rows] = (await c.query(
    `SELECT version_key, statement, kind, source_table, backup_table, keyed, row_count, restored_at
       FROM ${CATALOG} WHERE database_name = ? ORDER BY id`,
    [database],
  )) as [RowDataPacket[], unknown];
  // A version applied again after a rollback is backed up again: the latest copy of each statement counts.
  for (const r of rows) {
    const list = (backups.get(r.version_key) ?? []).filter((b) => b.statement !== Number(r.statement));
    list.push({
      versionKey: r.version_key,
      statement: Number(r.statement),
      kind: r.kind,
      sourceTable: r.source_table,
      backupTable: r.backup_table,
      keyed: Number(r.keyed) === 1,
      rows: Number(r.row_count),
      restored: r.restored_at !== null,
    });
    backups.set(
      r.version_key,
      list.sort((a, b) => a.statement - b.statement),
    );
  }
  return backups;
}

/**
 * The backup table's columns that hold data, quoted: a generated column is computed by the server
 * and refuses a value (the copy made LIKE its table keeps its definition).
 */
async function storedColumns(c: Connection, backupTable: string): Promise<string[]> {
  const [columns] = await c.query<RowDataPacket[]>(
    `SELECT COLUMN_NAME AS c FROM information_schema.COLUMNS
      WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND EXTRA NOT LIKE '%GENERATED%' ORDER BY ORDINAL_POSITION`,
    [BACKUP_SCHEMA, backupTable],
  );
  return columns.map((r) => quoteIdentifier(String(r.c)));
}

/**
 * Put a version's rows back, newest statement first, in one transaction: rows its DELETEs removed
 * are inserted again, rows its UPDATEs changed get their old values by key (never REPLACE, which
 * would delete the row and fire ON DELETE CASCADE on its children).
 */
export async function restoreBackups(
  c: Connection,
  database: string,
  backups: readonly DmlBackup[],
): Promise<number> {
  let restored = 0;
  await c.query('START TRANSACTION');
  try {
    for (const b of [...backups].sort((x, y) => y.statement - x.statement)) {
      const names = await storedColumns(c, b.backupTable);
      await c.query(
        `INSERT INTO ${b.sourceTable} (${names.join(', ')}) SELECT ${names.join(', ')} FROM ${BACKUP_SCHEMA}.${quoteIdentifier(b.backupTable)}
          ON DUPLICATE KEY UPDATE ${names.map((n) => `${n} = VALUES(${n})`).join(', ')}`,
      );
      restored += b.rows;
      await c.query(
        `UPDATE ${CATALOG} SET restored_at = NOW(3) WHERE database_name = ? AND version_key = ? AND statement = ?`,
        [database, b.versionKey, b.statement],
      );
    }
    await c.query('COMMIT');
    return restored;
  } catch (error) {
    await c.query('ROLLBACK').catch(() => {});
    throw error;
  }
}
