// The shape of a schema as information_schema tells it (tables, columns, indexes), read to check
// that a down file returns the schema to what it was before its migration.
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { HISTORY_TABLE } from '../deploy/mysql-revisions.js';
import type { SchemaMismatch } from './types.js';

/** Object (`table t`, `column t.c`, `index t.k`) → its definition in words. */
export type SchemaSnapshot = ReadonlyMap<string, string>;

export async function readSchemaSnapshot(c: Connection, schema: string): Promise<SchemaSnapshot> {
  const objects = new Map<string, string>();
  // The history table is the engine's bookkeeping, which the round trip changes on purpose.
  const [tables] = await c.query<RowDataPacket[]>(
    `SELECT TABLE_NAME, TABLE_TYPE, ENGINE, TABLE_COLLATION, TABLE_COMMENT FROM information_schema.TABLES
      WHERE TABLE_SCHEMA = ? AND TABLE_NAME <> ? ORDER BY TABLE_NAME`,
    [schema, HISTORY_TABLE],
  );
  for (const t of tables) {
    const words = [t.TABLE_TYPE === 'VIEW' ? 'view' : `engine ${t.ENGINE}`];
    if (t.TABLE_COLLATION) words.push(`collation ${t.TABLE_COLLATION}`);
    if (t.TABLE_COMMENT && t.TABLE_TYPE !== 'VIEW') words.push(`comment '${t.TABLE_COMMENT}'`);
    objects.set(`table ${t.TABLE_NAME}`, words.join(', '));
  }
  const [columns] = await c.query<RowDataPacket[]>(
    `SELECT TABLE_NAME, COLUMN_NAME, ORDINAL_POSITION, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, EXTRA,
            COLLATION_NAME, COLUMN_COMMENT
       FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME <> ?`,
    [schema, HISTORY_TABLE],
  );
  for (const col of columns) {
    const words = [
      `#${col.ORDINAL_POSITION}`,
      col.COLUMN_TYPE,
      col.IS_NULLABLE === 'YES' ? 'NULL' : 'NOT NULL',
    ];
    if (col.COLUMN_DEFAULT !== null) words.push(`DEFAULT ${col.COLUMN_DEFAULT}`);
    if (col.EXTRA) words.push(col.EXTRA);
    if (col.COLLATION_NAME) words.push(`COLLATE ${col.COLLATION_NAME}`);
    if (col.COLUMN_COMMENT) words.push(`COMMENT '${col.COLUMN_COMMENT}'`);
    objects.set(`column ${col.TABLE_NAME}.${col.COLUMN_NAME}`, words.join(' '));
  }
  const [parts] = await c.query<RowDataPacket[]>(
    `SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, COLUMN_NAME, SUB_PART, INDEX_TYPE
       FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND TABLE_NAME <> ?
      ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX`,
    [schema, HISTORY_TABLE],
  );
  const indexes = new Map<string, { unique: boolean; type: string; columns: string[] }>();
  for (const p of parts) {
    const key = `index ${p.TABLE_NAME}.${p.INDEX_NAME}`;
    const index = indexes.get(key) ?? {
      unique: Number(p.NON_UNIQUE) === 0,
      type: p.INDEX_TYPE,
      columns: [] as string[],
    };
    index.columns.push(p.SUB_PART === null ? p.COLUMN_NAME : `${p.COLUMN_NAME}(${p.SUB_PART})`);
    indexes.set(key, index);
  }
  for (const [key, index] of indexes)
    objects.set(key, `${index.unique ? 'UNIQUE ' : ''}${index.type} (${index.columns.join(', ')})`);
  return objects;
}

/** Every object that differs, in a stable order: what was there before up against after down. */
export function compareSnapshots(before: SchemaSnapshot, afterDown: SchemaSnapshot): SchemaMismatch[] {
  const keys = [...new Set([...before.keys(), ...afterDown.keys()])].sort();
  const mismatches: SchemaMismatch[] = [];
  for (const object of keys) {
    const a = before.get(object);
    const b = afterDown.get(object);
    if (a !== b) mismatches.push({ object, before: a, afterDown: b });
  }
  return mismatches;
}
