// How a migration's statements are applied exactly once, decided from their leading keywords
// before anything runs. Pure.
//
// A single-table INSERT/REPLACE/UPDATE/DELETE is committed together with its history write in
// one transaction (when its table is transactional), so it is never in doubt. A START
// TRANSACTION … COMMIT block is one unit: its progress is recorded inside it, just before the
// COMMIT, so a crash inside the block loses both and the resume reruns the whole block. Anything
// else (DDL commits implicitly) is recorded as in flight before it is sent.
// Session-level transaction changes that would undo recorded work are refused.
import { leadingTokens, nameAt, type Token } from '../sql/tokens.js';
import { HISTORY_TABLE } from './types.js';

/** A table a DML statement writes; `schema` null means the connection's current database. */
export interface TableRef {
  readonly schema: string | null;
  readonly name: string;
}

export type StatementKind =
  | { readonly kind: 'dml'; readonly tables: readonly TableRef[] | null }
  | { readonly kind: 'begin' }
  | { readonly kind: 'commit' }
  | { readonly kind: 'rollback' }
  /** Runs inside a transaction without ending it (SELECT, SET, SAVEPOINT, ...). */
  | { readonly kind: 'in-transaction' }
  | { readonly kind: 'use'; readonly schema: string }
  | { readonly kind: 'refuse'; readonly reason: string }
  /** DDL and everything else: may commit implicitly, cannot be rolled back. */
  | { readonly kind: 'other' };

export type Unit =
  /** One statement; `tables` set when it is a DML statement whose written tables are known. */
  | { readonly kind: 'statement'; readonly index: number; readonly tables: readonly TableRef[] | null }
  /** Statements `from`..`to` (the BEGIN to the COMMIT or ROLLBACK), applied as one. */
  | {
      readonly kind: 'transaction';
      readonly from: number;
      readonly to: number;
      readonly end: 'commit' | 'rollback';
      /** Every table written inside; null when one of them cannot be told. */
      readonly tables: readonly TableRef[] | null;
    };

const word = (t: Token | undefined): string | undefined => (t?.kind === 'word' ? t.upper : undefined);

function tableAt(tokens: readonly Token[], at: number): { table: TableRef; next: number } | undefined {
  const found = nameAt(tokens, at);
  if (!found) return undefined;
  const dot = found.name.indexOf('.');
  // nameAt joins `db`.`t` with a dot; a dot inside a quoted name is rare enough to fall back on.
  const table =
    dot < 0
      ? { schema: null, name: found.name }
      : { schema: found.name.slice(0, dot), name: found.name.slice(dot + 1) };
  return { table, next: found.next };
}

function skip(tokens: readonly Token[], at: number, words: readonly string[]): number {
  let i = at;
  while (words.includes(word(tokens[i]) ?? '')) i++;
  return i;
}

/** The one table a DML statement writes, or null when it writes several or cannot be told. */
function dmlTables(tokens: readonly Token[], first: string): readonly TableRef[] | null {
  if (first === 'INSERT' || first === 'REPLACE') {
    let i = skip(tokens, 1, ['LOW_PRIORITY', 'DELAYED', 'HIGH_PRIORITY', 'IGNORE']);
    if (word(tokens[i]) === 'INTO') i++;
    const t = tableAt(tokens, i);
    return t ? [t.table] : null;
  }
  if (first === 'UPDATE') {
    const t = tableAt(tokens, skip(tokens, 1, ['LOW_PRIORITY', 'IGNORE']));
    if (!t) return null;
    let i = t.next;
    if (word(tokens[i]) === 'AS') i++;
    if (word(tokens[i]) !== 'SET' && tokens[i]?.kind === 'word') i++; // an alias
    return word(tokens[i]) === 'SET' ? [t.table] : null;
  }
  if (first === 'DELETE') {
    const i = skip(tokens, 1, ['LOW_PRIORITY', 'QUICK', 'IGNORE']);
    if (word(tokens[i]) !== 'FROM') return null; // DELETE t1, t2 FROM ...
    const t = tableAt(tokens, i + 1);
    if (!t) return null;
    const next = tokens[t.next];
    const after = word(next);
    return next === undefined || ['WHERE', 'ORDER', 'LIMIT', 'PARTITION', 'RETURNING'].includes(after ?? '')
      ? [t.table]
      : null;
  }
  return null;
}

const AUTOCOMMIT_REASON =
  'changes autocommit: with autocommit off, everything after it stays in an open transaction that is rolled back when the deploy ends, while the history records it as applied. Remove it (wrap statements that belong together in START TRANSACTION … COMMIT instead)';

const COMPLETION_REASON =
  'changes completion_type: with CHAIN every COMMIT opens a new transaction, so what sqlgate records as applied could stay uncommitted and be rolled back when the deploy ends (and with RELEASE the connection closes). Remove it';

const GLOBAL_READ_LOCK_REASON =
  "takes the server's global read lock: every write waits behind it, sqlgate's own history writes too, so nothing after it could be recorded until the deploy times out. Remove it (a migration must not hold the server's locks; lock single tables with LOCK TABLES or FLUSH TABLES t WITH READ LOCK)";

const BACKUP_STAGE_REASON =
  "BACKUP STAGE blocks the server's DDL and commits, sqlgate's own history writes too. Run backups outside sqlgate";

export function statementKind(text: string): StatementKind {
  const tokens = leadingTokens(text, 40);
  const w = tokens.map(word);
  const first = w[0];
  switch (first) {
    case 'INSERT':
    case 'REPLACE':
    case 'UPDATE':
    case 'DELETE':
      return { kind: 'dml', tables: dmlTables(tokens, first) };
    case 'START':
      return w[1] === 'TRANSACTION' ? { kind: 'begin' } : { kind: 'other' };
    case 'BEGIN':
      // BEGIN [WORK] starts a transaction; BEGIN NOT ATOMIC ... END is a compound statement.
      return tokens.length === 1 || (w[1] === 'WORK' && tokens.length === 2)
        ? { kind: 'begin' }
        : { kind: 'other' };
    case 'COMMIT':
    case 'ROLLBACK': {
      if (first === 'ROLLBACK' && w.includes('TO')) return { kind: 'in-transaction' };
      if (w.includes('CHAIN') && !w.includes('NO'))
        return { kind: 'refuse', reason: `${first} AND CHAIN starts a new transaction that nothing commits` };
      if (w.includes('RELEASE') && w[w.indexOf('RELEASE') - 1] !== 'NO')
        return { kind: 'refuse', reason: `${first} RELEASE closes the deploy's connection` };
      return { kind: first === 'COMMIT' ? 'commit' : 'rollback' };
    }
    case 'FLUSH': {
      // FLUSH [LOCAL | NO_WRITE_TO_BINLOG] TABLES WITH READ LOCK: no table list, the whole server.
      const tables = skip(tokens, 1, ['LOCAL', 'NO_WRITE_TO_BINLOG']);
      const global =
        ['TABLE', 'TABLES'].includes(word(tokens[tables]) ?? '') && word(tokens[tables + 1]) === 'WITH';
      return global && w.includes('READ')
        ? { kind: 'refuse', reason: GLOBAL_READ_LOCK_REASON }
        : { kind: 'other' };
    }
    case 'BACKUP':
      return w[1] === 'STAGE' ? { kind: 'refuse', reason: BACKUP_STAGE_REASON } : { kind: 'other' };
    case 'XA':
      return {
        kind: 'refuse',
        reason: 'XA transactions cannot be recorded exactly once; run them outside sqlgate',
      };
    case 'SET': {
      if (w.includes('COMPLETION_TYPE')) return { kind: 'refuse', reason: COMPLETION_REASON };
      const at = w.indexOf('AUTOCOMMIT');
      if (at >= 0) {
        const value = tokens
          .slice(at + 1)
          .find((t) => t.kind !== 'punct' || (t.value !== '=' && t.value !== ':'));
        const v = value?.value.toUpperCase();
        if (v !== '1' && v !== 'ON' && v !== 'TRUE') return { kind: 'refuse', reason: AUTOCOMMIT_REASON };
      }
      return { kind: 'in-transaction' };
    }
    case 'USE': {
      const t = nameAt(tokens, 1);
      return t ? { kind: 'use', schema: t.name } : { kind: 'other' };
    }
    case 'SELECT':
    case 'DO':
    case 'SAVEPOINT':
      return { kind: 'in-transaction' };
    case 'RELEASE':
      return w[1] === 'SAVEPOINT' ? { kind: 'in-transaction' } : { kind: 'other' };
    default:
      return { kind: 'other' };
  }
}

// The deploy writes its history on the statements' own connection: a migration that touched
// the table (or shadowed it with a temporary table of the same name) could rewrite what ran.
const HISTORY_NAME = new RegExp(`\\b${HISTORY_TABLE}\\b`, 'i');
const HISTORY_REASON = `this statement names ${HISTORY_TABLE}, the table where sqlgate records what ran; a migration must not read, change or shadow it (sqlgate repair is the way to correct it)`;

export interface UnitStatement {
  readonly text: string;
  readonly line: number;
}

/**
 * The units of statements `from`.., or why the file cannot be applied exactly once (naming the
 * line). Unqualified tables are left for the runner to resolve against its current database;
 * after a USE they are qualified with the database it selects.
 */
export function unitsOf(
  statements: readonly UnitStatement[],
  from = 0,
): { readonly units: readonly Unit[] } | { readonly error: string } {
  const units: Unit[] = [];
  let schema: string | null = null;
  const qualify = (tables: readonly TableRef[] | null) =>
    tables?.map((t) => (t.schema === null && schema !== null ? { schema, name: t.name } : t)) ?? null;
  let block: { from: number; line: number; tables: TableRef[] | null } | undefined;
  for (let i = from; i < statements.length; i++) {
    const s = statements[i] as UnitStatement;
    if (HISTORY_NAME.test(s.text)) return { error: `line ${s.line}: ${HISTORY_REASON}` };
    const kind = statementKind(s.text);
    if (kind.kind === 'refuse') return { error: `line ${s.line}: ${kind.reason}` };
    if (block) {
      if (kind.kind === 'commit' || kind.kind === 'rollback') {
        units.push({ kind: 'transaction', from: block.from, to: i, end: kind.kind, tables: block.tables });
        block = undefined;
      } else if (kind.kind === 'dml') {
        const tables = qualify(kind.tables);
        block.tables = tables && block.tables ? [...block.tables, ...tables] : null;
      } else if (kind.kind !== 'in-transaction') {
        return {
          error: `line ${s.line}: this statement inside the transaction started at line ${block.line} commits it implicitly (DDL and similar statements do), so the block could not be applied as one; move it out of START TRANSACTION … COMMIT`,
        };
      }
      continue;
    }
    if (kind.kind === 'begin') {
      block = { from: i, line: s.line, tables: [] };
      continue;
    }
    if (kind.kind === 'use') schema = kind.schema;
    units.push({ kind: 'statement', index: i, tables: kind.kind === 'dml' ? qualify(kind.tables) : null });
  }
  if (block) {
    return {
      error: `line ${block.line}: START TRANSACTION without a COMMIT before the end of the file: the open transaction would be rolled back when the deploy's connection closes, while the history records its statements as applied; end it with COMMIT`,
    };
  }
  return { units };
}
