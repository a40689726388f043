// Where a statement's risk is filed: rules and approval assignments are keyed by it.
export const SOURCES = ['ddl', 'dml', 'create-database'] as const;
export type ChangeSource = (typeof SOURCES)[number];

// Bytebase's statement type names (its MySQL classifier: RENAME for RENAME TABLE, DROP_DATABASE for
// DROP SCHEMA too), so rules written for Bytebase's Risk Center read the same here. Types Bytebase
// leaves unspecified (CALL, PREPARE, SET, ...) get names of their own.
export const STATEMENT_TYPES = {
  CREATE_TABLE: 'ddl',
  ALTER_TABLE: 'ddl',
  DROP_TABLE: 'ddl',
  RENAME: 'ddl',
  TRUNCATE: 'ddl',
  CREATE_INDEX: 'ddl',
  DROP_INDEX: 'ddl',
  CREATE_VIEW: 'ddl',
  ALTER_VIEW: 'ddl',
  DROP_VIEW: 'ddl',
  CREATE_DATABASE: 'create-database',
  ALTER_DATABASE: 'ddl',
  DROP_DATABASE: 'ddl',
  CREATE_PROCEDURE: 'ddl',
  DROP_PROCEDURE: 'ddl',
  CREATE_FUNCTION: 'ddl',
  DROP_FUNCTION: 'ddl',
  CREATE_TRIGGER: 'ddl',
  DROP_TRIGGER: 'ddl',
  CREATE_EVENT: 'ddl',
  ALTER_EVENT: 'ddl',
  DROP_EVENT: 'ddl',
  CREATE_SEQUENCE: 'ddl',
  DROP_SEQUENCE: 'ddl',
  INSERT: 'dml',
  UPDATE: 'dml',
  DELETE: 'dml',
  REPLACE: 'dml',
  LOAD_DATA: 'dml',
  SELECT: 'dml',
  // What a routine or a prepared statement runs is not visible here; it may change the schema.
  CALL: 'ddl',
  PREPARE: 'ddl',
  EXECUTE: 'ddl',
  DEALLOCATE_PREPARE: 'ddl',
  SET: 'ddl',
  USE: 'ddl',
  GRANT: 'ddl',
  REVOKE: 'ddl',
  LOCK_TABLES: 'ddl',
  UNLOCK_TABLES: 'ddl',
  TRANSACTION: 'dml',
  OTHER: 'ddl',
} as const satisfies Record<string, ChangeSource>;

export type StatementType = keyof typeof STATEMENT_TYPES;
export const STATEMENT_TYPE_NAMES = Object.keys(STATEMENT_TYPES) as StatementType[];

/** Names sqlgate used before it followed Bytebase, still accepted in policies (with a warning). */
export const STATEMENT_TYPE_ALIASES: Readonly<Record<string, StatementType>> = {
  RENAME_TABLE: 'RENAME',
  DROP_SCHEMA: 'DROP_DATABASE',
};

export function sourceOf(type: StatementType): ChangeSource {
  return STATEMENT_TYPES[type];
}

export const ALTER_OPERATIONS = [
  'ADD_COLUMN',
  'DROP_COLUMN',
  'MODIFY_COLUMN',
  'CHANGE_COLUMN',
  'RENAME_COLUMN',
  'SET_DEFAULT',
  'ADD_INDEX',
  'DROP_INDEX',
  'RENAME_INDEX',
  'ADD_CONSTRAINT',
  'ADD_FOREIGN_KEY',
  'DROP_CONSTRAINT',
  'ADD_PRIMARY_KEY',
  'DROP_PRIMARY_KEY',
  'DROP_FOREIGN_KEY',
  'RENAME_TABLE',
  'CONVERT_CHARSET',
  'PARTITION',
  'DROP_PARTITION',
  'TRUNCATE_PARTITION',
  'TABLE_OPTION',
] as const;
export type AlterOperation = (typeof ALTER_OPERATIONS)[number];

/** How MySQL 8 / MariaDB 10.6+ run an ALTER: metadata only, in place, a table copy, or not known. */
export const ONLINE_DDL_CLASSES = ['instant', 'inplace', 'copy', 'unknown'] as const;
export type OnlineDdlClass = (typeof ONLINE_DDL_CLASSES)[number];
