// What an interrupted pt-online-schema-change leaves behind, and putting the table back. The tool
// cleans up after itself when it fails or is stopped with SIGTERM; a SIGKILL or a lost runner
// leaves its triggers and `_<table>_new` (before the swap) or `_<table>_old` (after it).
import type { RowDataPacket } from 'mysql2/promise';
import { quoteIdentifier } from '../db/connect.js';
import type { Queryable } from './inspect.js';

export interface Leftovers {
  readonly triggers: readonly string[];
  readonly newTables: readonly string[];
  readonly oldTables: readonly string[];
}

/** The tool's trigger prefix for a table, as it builds it (non-word characters → _, at most 60). */
export function toolTriggerPrefix(schema: string, table: string): string {
  return `pt_osc_${schema}_${table}`.replace(/\W/g, '_').slice(0, 60);
}

function likeEscape(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export async function findLeftovers(c: Queryable, schema: string, table: string): Promise<Leftovers> {
  const [triggers] = (await c.query(
    'SELECT TRIGGER_NAME AS name FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ? AND TRIGGER_NAME LIKE ? ORDER BY TRIGGER_NAME',
    [schema, `${likeEscape(toolTriggerPrefix(schema, table))}\\_%`],
  )) as [RowDataPacket[], unknown];
  const [tables] = (await c.query(
    'SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME LIKE ?',
    [schema, `%\\_${likeEscape(table)}\\_%`],
  )) as [RowDataPacket[], unknown];
  const names = tables.map((t) => String(t.name));
  const shaped = (suffix: string) =>
    names.filter((n) => n.startsWith('_') && n.replace(/^_+/, '') === `${table}_${suffix}`);
  return {
    triggers: triggers.map((t) => String(t.name)),
    newTables: shaped('new'),
    oldTables: shaped('old'),
  };
}

export function hasLeftovers(l: Leftovers): boolean {
  return l.triggers.length + l.newTables.length + l.oldTables.length > 0;
}

/**
 * Drop what the tool left. Returns whether the swap had happened (an `_old` table exists): then
 * the table already has the new structure and the change must be recorded as applied, not rerun.
 */
export async function cleanUpLeftovers(
  c: Queryable,
  schema: string,
  leftovers: Leftovers,
  log: (line: string) => void,
): Promise<{ swapped: boolean }> {
  for (const name of leftovers.triggers) {
    log(`dropping ${name}, a trigger left by an interrupted online change`);
    await c.query(`DROP TRIGGER IF EXISTS ${quoteIdentifier(schema)}.${quoteIdentifier(name)}`);
  }
  for (const name of [...leftovers.newTables, ...leftovers.oldTables]) {
    log(`dropping ${schema}.${name}, a copy left by an interrupted online change`);
    await c.query(`DROP TABLE IF EXISTS ${quoteIdentifier(schema)}.${quoteIdentifier(name)}`);
  }
  return { swapped: leftovers.oldTables.length > 0 };
}
