// Resuming after a deploy died while an online schema change ran (the runner was lost, or the
// process was killed): the history shows the ALTER in flight via the tool, and what the tool
// left on the server says how far it got. Its swap of the copy for the table is one atomic
// RENAME, and needs the copy `_<table>_new`:
// - the copy is still there: the swap never happened, the table is as it was. Drop the copy
//   first (so a tool still running can never swap it in), then its triggers: not applied.
// - `_<table>_old` is there: the swap happened; the change is in place: applied.
// - nothing is left: the tool either finished or never started; only a person can tell, so the
//   statement stays in doubt for `sqlgate repair`.
import type { RowDataPacket } from 'mysql2/promise';
import { quoteIdentifier } from '../db/connect.js';
import { RefusedError } from '../errors.js';
import { alterTarget } from './executor.js';
import type { Queryable } from './inspect.js';
import { cleanUpLeftovers, findLeftovers } from './leftovers.js';

export type InterruptedOutcome =
  | { readonly mark: 'applied' | 'not-applied'; readonly because: string }
  | { readonly mark: 'unknown'; readonly because: string };

const ER_BAD_TABLE = 1051;

/** What the leftovers say, without touching them (for `repair`, which must not destroy the evidence it refuses on). */
export async function readInterruptedOnline(
  reader: Queryable,
  database: string,
  statementText: string,
): Promise<InterruptedOutcome> {
  const at = alterTarget(statementText, database);
  if (!at)
    return { mark: 'unknown', because: 'the statement in flight is not an ALTER TABLE sqlgate can read' };
  const l = await findLeftovers(reader, at.schema, at.table);
  if (l.newTables.length > 0 || (l.triggers.length > 0 && l.oldTables.length === 0))
    return {
      mark: 'not-applied',
      because: `its copy or triggers are still there, so it never swapped the copy in and ${at.schema}.${at.table} is as it was`,
    };
  if (l.oldTables.length > 0)
    return {
      mark: 'applied',
      because: `${at.schema}._${at.table}_old is there, so it swapped the altered copy in`,
    };
  return { mark: 'unknown', because: 'it left nothing behind' };
}

export async function resolveInterruptedOnline(
  reader: Queryable,
  database: string,
  statementText: string,
  log: (line: string) => void,
): Promise<InterruptedOutcome> {
  const at = alterTarget(statementText, database);
  if (!at)
    return { mark: 'unknown', because: 'the statement in flight is not an ALTER TABLE sqlgate can read' };
  const { schema, table } = at;
  const copy = `_${table}_new`;
  const [busy] = (await reader.query(
    "SELECT ID AS id FROM information_schema.PROCESSLIST WHERE COMMAND <> 'Sleep' AND INFO LIKE ?",
    [`%${copy.replace(/[\\%_]/g, (c) => `\\${c}`)}%`],
  )) as [RowDataPacket[], unknown];
  if (busy.length > 0) {
    throw new RefusedError(
      `the online change of ${schema}.${table} is still copying rows (connection ${busy.map((r) => r.id).join(', ')}); wait until it ends (or stop it), then deploy again`,
    );
  }
  const leftovers = await findLeftovers(reader, schema, table);
  for (const name of leftovers.newTables) {
    try {
      await reader.query(`DROP TABLE ${quoteIdentifier(schema)}.${quoteIdentifier(name)}`);
      log(`dropped ${schema}.${name}, the copy of an interrupted online change`);
    } catch (error) {
      // Gone meanwhile: the tool swapped it in or cleaned up; the tables below say which.
      if ((error as { errno?: number }).errno !== ER_BAD_TABLE) throw error;
    }
  }
  const now = await findLeftovers(reader, schema, table);
  const { swapped } = await cleanUpLeftovers(reader, schema, now, log);
  if (swapped)
    return {
      mark: 'applied',
      because: `the interrupted online change had swapped the altered copy in (${schema}._${table}_old was left)`,
    };
  if (leftovers.newTables.length > 0 || now.triggers.length > 0)
    return {
      mark: 'not-applied',
      because: `the interrupted online change had not swapped its copy in, so ${schema}.${table} was as it was; its copy and triggers were dropped`,
    };
  return {
    mark: 'unknown',
    because: `the online change left nothing behind, so it either finished or never started; check ${schema}.${table} for the change`,
  };
}
