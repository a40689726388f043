// How the server runs an ALTER, from the documented online DDL rules of MySQL 8.0 ("Online DDL
// Operations") and MariaDB 10.6+ ("InnoDB Online DDL Operations with ALGORITHM=INSTANT / INPLACE"),
// taking the case both engines share and the slower one where they differ. What the class of a
// clause depends on data sqlgate does not see (the column's current type, the table's engine), it
// assumes the worse: MODIFY/CHANGE may change the type, which copies the table.
import type { AlterOperation, OnlineDdlClass, StatementType } from './statement-types.js';

const BY_OPERATION: Record<AlterOperation, OnlineDdlClass> = {
  // MySQL 8.0.29+ and MariaDB 10.4+ add and drop columns in any position without a rebuild.
  ADD_COLUMN: 'instant',
  DROP_COLUMN: 'instant',
  RENAME_COLUMN: 'instant',
  SET_DEFAULT: 'instant',
  RENAME_TABLE: 'instant',
  // A type change copies the table on both engines.
  MODIFY_COLUMN: 'copy',
  CHANGE_COLUMN: 'copy',
  CONVERT_CHARSET: 'copy',
  ADD_INDEX: 'inplace',
  DROP_INDEX: 'inplace',
  RENAME_INDEX: 'inplace',
  ADD_PRIMARY_KEY: 'inplace',
  // Dropping the primary key without adding one cannot be done in place.
  DROP_PRIMARY_KEY: 'copy',
  // In place only with foreign_key_checks=0, which a migration cannot be assumed to set.
  ADD_FOREIGN_KEY: 'copy',
  DROP_FOREIGN_KEY: 'inplace',
  // A CHECK constraint validates every row with a table copy (MySQL 8.0.16+).
  ADD_CONSTRAINT: 'copy',
  DROP_CONSTRAINT: 'inplace',
  DROP_PARTITION: 'inplace',
  TRUNCATE_PARTITION: 'inplace',
  // ADD/REORGANIZE/COALESCE/EXCHANGE PARTITION and PARTITION BY differ by partitioning type.
  PARTITION: 'unknown',
  // ENGINE=, ROW_FORMAT=, FORCE copy or rebuild; COMMENT= is instant: not known from the name.
  TABLE_OPTION: 'unknown',
};

const RANK: Record<OnlineDdlClass, number> = { instant: 0, inplace: 1, unknown: 2, copy: 3 };
const EXPLICIT: Record<string, OnlineDdlClass> = {
  INSTANT: 'instant',
  INPLACE: 'inplace',
  NOCOPY: 'inplace',
  COPY: 'copy',
};

/**
 * The class of an ALTER TABLE, CREATE INDEX or DROP INDEX: the slowest of its clauses. An explicit
 * `ALGORITHM=INSTANT|INPLACE|COPY` decides it, since the server refuses what it cannot do that way.
 * Undefined for other statements.
 */
export function onlineDdlClass(
  type: StatementType,
  operations: readonly AlterOperation[],
  algorithm: string | undefined,
): OnlineDdlClass | undefined {
  if (type !== 'ALTER_TABLE' && type !== 'CREATE_INDEX' && type !== 'DROP_INDEX') return undefined;
  const explicit = algorithm ? EXPLICIT[algorithm.toUpperCase()] : undefined;
  if (explicit) return explicit;
  if (type !== 'ALTER_TABLE') return 'inplace';
  if (operations.length === 0) return 'unknown';
  return operations.map((op) => BY_OPERATION[op]).reduce((a, b) => (RANK[b] > RANK[a] ? b : a));
}
