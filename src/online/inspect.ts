// What an online change needs to know about its table, read from information_schema: rows,
// a key to chunk by, triggers, and the foreign keys of other tables that point at it.
import type { RowDataPacket } from 'mysql2/promise';
import type { TableShape } from './decide.js';

/** A connection to read with: mysql2's, or the deploy's control session (which times out). */
export interface Queryable {
  query(sql: string, values?: unknown[]): Promise<[unknown, unknown]>;
}

async function rowsOf(c: Queryable, sql: string, values: unknown[]): Promise<RowDataPacket[]> {
  const [rows] = await c.query(sql, values);
  return rows as RowDataPacket[];
}

/** pt-online-schema-change names its triggers pt_osc_<db>_<table>_ins|upd|del. */
export const TOOL_TRIGGER_PREFIX = 'pt_osc_';

/** MariaDB ≥ 10.2.3 and MySQL ≥ 5.7.2 allow several triggers per table and event. */
export function multipleTriggersSupported(version: string): boolean {
  const [major = 0, minor = 0, patch = 0] = (/^(\d+)\.(\d+)\.(\d+)/.exec(version) ?? []).slice(1).map(Number);
  const at = (a: number, b: number, c: number) =>
    major !== a ? major > a : minor !== b ? minor > b : patch >= c;
  return /mariadb/i.test(version) ? at(10, 2, 3) : at(5, 7, 2);
}

export async function inspectTable(c: Queryable, schema: string, table: string): Promise<TableShape> {
  const tables = await rowsOf(
    c,
    'SELECT TABLE_ROWS AS n, VERSION() AS version FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?',
    [schema, table],
  );
  const found = tables[0];
  if (!found)
    return {
      exists: false,
      rows: 0,
      hasPrimaryOrUniqueKey: false,
      triggers: [],
      childForeignKeys: [],
      multipleTriggersSupported: false,
    };
  // A unique key with a nullable column admits duplicate NULLs, so it cannot identify a row.
  const keys = await rowsOf(
    c,
    `SELECT s.INDEX_NAME FROM information_schema.STATISTICS s
       JOIN information_schema.COLUMNS k ON k.TABLE_SCHEMA = s.TABLE_SCHEMA AND k.TABLE_NAME = s.TABLE_NAME AND k.COLUMN_NAME = s.COLUMN_NAME
     WHERE s.TABLE_SCHEMA = ? AND s.TABLE_NAME = ? AND s.NON_UNIQUE = 0
     GROUP BY s.INDEX_NAME HAVING SUM(k.IS_NULLABLE = 'YES') = 0`,
    [schema, table],
  );
  const triggers = await rowsOf(
    c,
    'SELECT TRIGGER_NAME AS name FROM information_schema.TRIGGERS WHERE EVENT_OBJECT_SCHEMA = ? AND EVENT_OBJECT_TABLE = ? ORDER BY TRIGGER_NAME',
    [schema, table],
  );
  const children = await rowsOf(
    c,
    `SELECT CONSTRAINT_SCHEMA AS s, TABLE_NAME AS t, CONSTRAINT_NAME AS name FROM information_schema.REFERENTIAL_CONSTRAINTS
     WHERE UNIQUE_CONSTRAINT_SCHEMA = ? AND REFERENCED_TABLE_NAME = ? AND NOT (CONSTRAINT_SCHEMA = ? AND TABLE_NAME = ?)
     ORDER BY TABLE_NAME, CONSTRAINT_NAME`,
    [schema, table, schema, table],
  );
  return {
    exists: true,
    rows: Number(found.n ?? 0),
    hasPrimaryOrUniqueKey: keys.length > 0,
    triggers: triggers.map((t) => String(t.name)).filter((n) => !n.startsWith(TOOL_TRIGGER_PREFIX)),
    childForeignKeys: children.map((r) => `${r.s === schema ? '' : `${r.s}.`}${r.t}.${r.name}`),
    multipleTriggersSupported: multipleTriggersSupported(String(found.version)),
  };
}
