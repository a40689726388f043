// Statement type from the leading keywords. This works for every statement, including those the
// AST parser rejects (procedures, events, CONVERT TO CHARACTER SET, ...), so an unparsable
// statement still has a type, a table and the flags its keywords reveal.
import type { AlterOperation, StatementType } from './statement-types.js';
import { leadingTokens, nameAt, type Token } from './tokens.js';

export interface KeywordClass {
  readonly type: StatementType;
  /** Tables named where the keywords put them (`ALTER TABLE x`, `INSERT INTO x`). */
  readonly tables: readonly string[];
  /** ALTER TABLE operations recognisable from keywords alone. */
  readonly operations: readonly AlterOperation[];
  /** Server variables a SET changes (`foreign_key_checks`, `global.max_connections`). */
  readonly sessionOverrides?: readonly string[];
}

const CREATE_OBJECTS: Record<string, StatementType> = {
  TABLE: 'CREATE_TABLE',
  INDEX: 'CREATE_INDEX',
  VIEW: 'CREATE_VIEW',
  DATABASE: 'CREATE_DATABASE',
  SCHEMA: 'CREATE_DATABASE',
  PROCEDURE: 'CREATE_PROCEDURE',
  FUNCTION: 'CREATE_FUNCTION',
  TRIGGER: 'CREATE_TRIGGER',
  EVENT: 'CREATE_EVENT',
  SEQUENCE: 'CREATE_SEQUENCE',
};
const DROP_OBJECTS: Record<string, StatementType> = {
  TABLE: 'DROP_TABLE',
  TABLES: 'DROP_TABLE',
  INDEX: 'DROP_INDEX',
  VIEW: 'DROP_VIEW',
  DATABASE: 'DROP_DATABASE',
  SCHEMA: 'DROP_DATABASE',
  PROCEDURE: 'DROP_PROCEDURE',
  FUNCTION: 'DROP_FUNCTION',
  TRIGGER: 'DROP_TRIGGER',
  EVENT: 'DROP_EVENT',
  SEQUENCE: 'DROP_SEQUENCE',
};
const ALTER_OBJECTS: Record<string, StatementType> = {
  TABLE: 'ALTER_TABLE',
  VIEW: 'ALTER_VIEW',
  DATABASE: 'ALTER_DATABASE',
  SCHEMA: 'ALTER_DATABASE',
  EVENT: 'ALTER_EVENT',
};
// Words that may stand between CREATE/ALTER/DROP and the object keyword.
const MODIFIERS = new Set([
  'OR',
  'REPLACE',
  'TEMPORARY',
  'UNIQUE',
  'FULLTEXT',
  'SPATIAL',
  'ONLINE',
  'OFFLINE',
  'IGNORE',
  'ALGORITHM',
  'UNDEFINED',
  'MERGE',
  'TEMPTABLE',
  'DEFINER',
  'CURRENT_USER',
  'SQL',
  'SECURITY',
  'INVOKER',
  'AGGREGATE',
]);

/** The index after `DEFINER = account` at `at` (user[@host], quoted or not, or CURRENT_USER[()]). */
function skipDefiner(tokens: readonly Token[], at: number): number {
  let i = at + 1;
  if (tokens[i]?.kind === 'punct' && tokens[i]?.value === '=') i++;
  const isPunct = (k: number, v: string) => tokens[k]?.kind === 'punct' && tokens[k]?.value === v;
  i++; // the user, or CURRENT_USER
  if (isPunct(i, '(') && isPunct(i + 1, ')')) return i + 2;
  if (isPunct(i, '@')) i += 2; // @host
  return i;
}

function objectType(
  tokens: readonly Token[],
  table: Record<string, StatementType>,
): { type: StatementType; at: number } | undefined {
  for (let i = 1; i < Math.min(tokens.length, 24); i++) {
    const t = tokens[i] as Token;
    if (t.kind === 'word' && t.upper === 'DEFINER') {
      i = skipDefiner(tokens, i) - 1;
      continue;
    }
    if (t.kind === 'word' && table[t.upper] !== undefined)
      return { type: table[t.upper] as StatementType, at: i };
    if (t.kind === 'word' && !MODIFIERS.has(t.upper)) return undefined;
  }
  return undefined;
}

function skipIfExists(tokens: readonly Token[], at: number): number {
  const w = (i: number) => {
    const t = tokens[i];
    return t?.kind === 'word' ? t.upper : '';
  };
  if (w(at) === 'IF' && w(at + 1) === 'NOT' && w(at + 2) === 'EXISTS') return at + 3;
  if (w(at) === 'IF' && w(at + 1) === 'EXISTS') return at + 2;
  return at;
}

function tableAfter(tokens: readonly Token[], at: number): string[] {
  const found = nameAt(tokens, skipIfExists(tokens, at));
  return found ? [found.name] : [];
}

function wordIndex(tokens: readonly Token[], word: string, from = 0): number {
  return tokens.findIndex((t, i) => i >= from && t.kind === 'word' && t.upper === word);
}

/** The index of the first word at parenthesis depth 0 from `from` that is in `words`, or -1. */
function topLevelWord(tokens: readonly Token[], words: ReadonlySet<string>, from: number): number {
  let depth = 0;
  for (let i = from; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    if (t.kind === 'punct' && t.value === '(') depth++;
    else if (t.kind === 'punct' && t.value === ')') depth--;
    else if (depth === 0 && t.kind === 'word' && words.has(t.upper)) return i;
  }
  return -1;
}

/** Tables in a comma-separated list of table references (`a, b AS x READ, db.c`), up to a `stop` word. */
function tableList(tokens: readonly Token[], at: number, stop: ReadonlySet<string>): string[] {
  const tables: string[] = [];
  let i = at;
  while (i < tokens.length) {
    const found = nameAt(tokens, i);
    if (!found || stop.has(found.name.toUpperCase())) break;
    tables.push(found.name);
    i = found.next;
    while (i < tokens.length && !(tokens[i]?.kind === 'punct' && tokens[i]?.value === ',')) {
      const t = tokens[i] as Token;
      if (t.kind === 'word' && stop.has(t.upper)) return tables;
      i++;
    }
    i++;
  }
  return tables;
}

const WITH_BODIES = new Set(['SELECT', 'INSERT', 'REPLACE', 'UPDATE', 'DELETE', 'VALUES', 'TABLE']);
const LOCK_STOP = new Set<string>();
const DELETE_STOP = new Set([
  'WHERE',
  'USING',
  'FROM',
  'ORDER',
  'LIMIT',
  'JOIN',
  'INNER',
  'LEFT',
  'RIGHT',
  'STRAIGHT_JOIN',
  'CROSS',
  'NATURAL',
  'ON',
]);

export function classifyByKeywords(text: string): KeywordClass {
  const tokens = leadingTokens(text, 200);
  return classifyTokens(tokens, text);
}

function classifyTokens(tokens: readonly Token[], text: string): KeywordClass {
  const first = tokens[0]?.kind === 'word' ? tokens[0].upper : '';
  const second = tokens[1]?.kind === 'word' ? tokens[1].upper : '';
  const none = { tables: [], operations: [] };
  switch (first) {
    case 'CREATE': {
      const object = objectType(tokens, CREATE_OBJECTS);
      if (!object) return { type: 'OTHER', ...none };
      if (object.type === 'CREATE_TABLE')
        return { type: object.type, tables: tableAfter(tokens, object.at + 1), operations: [] };
      if (object.type === 'CREATE_INDEX') {
        const on = wordIndex(tokens, 'ON', object.at);
        return { type: object.type, tables: on >= 0 ? tableAfter(tokens, on + 1) : [], operations: [] };
      }
      if (object.type === 'CREATE_TRIGGER') {
        const on = wordIndex(tokens, 'ON', object.at);
        return { type: object.type, tables: on >= 0 ? tableAfter(tokens, on + 1) : [], operations: [] };
      }
      if (object.type === 'CREATE_VIEW')
        return { type: object.type, tables: tableAfter(tokens, object.at + 1), operations: [] };
      return { type: object.type, ...none };
    }
    case 'DROP': {
      if (second === 'PREPARE') return { type: 'DEALLOCATE_PREPARE', ...none };
      const object = objectType(tokens, DROP_OBJECTS);
      if (!object) return { type: 'OTHER', ...none };
      if (object.type === 'DROP_TABLE')
        return { type: object.type, tables: tableAfter(tokens, object.at + 1), operations: [] };
      if (object.type === 'DROP_INDEX') {
        const on = wordIndex(tokens, 'ON', object.at);
        return { type: object.type, tables: on >= 0 ? tableAfter(tokens, on + 1) : [], operations: [] };
      }
      return { type: object.type, ...none };
    }
    case 'ALTER': {
      const object = objectType(tokens, ALTER_OBJECTS);
      if (!object) return { type: 'OTHER', ...none };
      if (object.type !== 'ALTER_TABLE') return { type: object.type, ...none };
      const name = nameAt(tokens, object.at + 1);
      return {
        type: 'ALTER_TABLE',
        tables: name ? [name.name] : [],
        operations: name ? alterOperationsByKeywords(tokens, name.next) : [],
      };
    }
    case 'RENAME':
      return {
        type: second === 'TABLE' || second === 'TABLES' ? 'RENAME' : 'OTHER',
        tables: tableAfter(tokens, 2),
        operations: [],
      };
    case 'TRUNCATE':
      return { type: 'TRUNCATE', tables: tableAfter(tokens, second === 'TABLE' ? 2 : 1), operations: [] };
    case 'INSERT':
    case 'REPLACE': {
      const into = wordIndex(tokens, 'INTO');
      let at = into >= 0 ? into + 1 : 1;
      while (
        tokens[at]?.kind === 'word' &&
        ['LOW_PRIORITY', 'DELAYED', 'HIGH_PRIORITY', 'IGNORE'].includes(
          (tokens[at] as { upper: string }).upper,
        )
      )
        at++;
      return {
        type: first === 'INSERT' ? 'INSERT' : 'REPLACE',
        tables: tableAfter(tokens, at),
        operations: [],
      };
    }
    case 'UPDATE': {
      let at = 1;
      while (
        tokens[at]?.kind === 'word' &&
        ['LOW_PRIORITY', 'IGNORE'].includes((tokens[at] as { upper: string }).upper)
      )
        at++;
      return { type: 'UPDATE', tables: tableAfter(tokens, at), operations: [] };
    }
    case 'DELETE':
      return { type: 'DELETE', tables: deleteTargets(tokens), operations: [] };
    case 'LOAD': {
      const into = wordIndex(tokens, 'INTO');
      const at =
        into >= 0 &&
        tokens[into + 1]?.kind === 'word' &&
        (tokens[into + 1] as { upper: string }).upper === 'TABLE'
          ? into + 2
          : -1;
      return { type: 'LOAD_DATA', tables: at >= 0 ? tableAfter(tokens, at) : [], operations: [] };
    }
    case 'WITH': {
      // A CTE may lead any statement: `WITH old AS (...) DELETE FROM t WHERE ...` deletes.
      const body = topLevelWord(tokens, WITH_BODIES, 1);
      if (body < 0) return { type: 'SELECT', ...none };
      return classifyTokens(tokens.slice(body), text);
    }
    case 'SELECT':
    case 'VALUES':
    case 'TABLE':
      return { type: 'SELECT', ...none };
    case 'CALL':
      return { type: 'CALL', ...none };
    case 'PREPARE':
      return { type: 'PREPARE', ...none };
    case 'EXECUTE':
      return { type: 'EXECUTE', ...none };
    case 'DEALLOCATE':
      return { type: 'DEALLOCATE_PREPARE', ...none };
    case 'SET':
      return classifySet(tokens, text);
    case 'USE':
      return { type: 'USE', ...none };
    case 'GRANT':
      return { type: 'GRANT', ...none };
    case 'REVOKE':
      return { type: 'REVOKE', ...none };
    case 'LOCK':
      return {
        type: 'LOCK_TABLES',
        tables: tableList(tokens, second === 'TABLES' || second === 'TABLE' ? 2 : 1, LOCK_STOP),
        operations: [],
      };
    case 'UNLOCK':
      return { type: 'UNLOCK_TABLES', ...none };
    case 'START':
    case 'BEGIN':
    case 'COMMIT':
    case 'ROLLBACK':
    case 'SAVEPOINT':
    case 'RELEASE':
      return { type: 'TRANSACTION', ...none };
    default:
      return { type: 'OTHER', ...none };
  }
}

/**
 * `DELETE FROM t`, `DELETE a FROM t AS a JOIN ...` and `DELETE FROM a USING t AS a ...`: the tables
 * rows are deleted from, with aliases resolved to the tables they stand for.
 */
function deleteTargets(tokens: readonly Token[]): string[] {
  const from = wordIndex(tokens, 'FROM');
  if (from < 0) return [];
  const using = wordIndex(tokens, 'USING', from);
  const named = from > 1 ? tableList(tokens, 1, DELETE_STOP) : tableList(tokens, from + 1, DELETE_STOP);
  const sourcesAt = using >= 0 ? using + 1 : from > 1 ? from + 1 : -1;
  if (sourcesAt < 0) return named;
  // Aliases in the sources: `orders AS o` or `orders o`, after the start, a comma or a JOIN.
  const aliases = new Map<string, string>();
  let expectTable = true;
  for (let i = sourcesAt; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    if (t.kind === 'word' && (t.upper === 'WHERE' || t.upper === 'ORDER' || t.upper === 'LIMIT')) break;
    if (expectTable) {
      expectTable = false;
      const found = nameAt(tokens, i);
      if (!found) continue;
      const as = tokens[found.next];
      const alias = nameAt(tokens, as?.kind === 'word' && as.upper === 'AS' ? found.next + 1 : found.next);
      if (alias && !DELETE_STOP.has(alias.name.toUpperCase()) && alias.name.toUpperCase() !== 'WHERE') {
        aliases.set(alias.name, found.name);
        i = alias.next - 1;
      } else i = found.next - 1;
    } else if ((t.kind === 'punct' && t.value === ',') || (t.kind === 'word' && t.upper === 'JOIN'))
      expectTable = true;
  }
  return named.map((t) => (t.endsWith('.*') ? t.slice(0, -2) : t)).map((t) => aliases.get(t) ?? t);
}

const SCOPES = new Set(['GLOBAL', 'SESSION', 'LOCAL', 'PERSIST', 'PERSIST_ONLY']);
const FOR = new Set(['FOR']);

/**
 * SET: the server variables it changes, and MariaDB's `SET STATEMENT var = value FOR statement`,
 * which runs its statement (typed as that statement) with the variables overridden.
 */
function classifySet(tokens: readonly Token[], text: string): KeywordClass {
  const word = (i: number) => (tokens[i]?.kind === 'word' ? (tokens[i] as { upper: string }).upper : '');
  if (word(1) === 'STATEMENT') {
    const forAt = topLevelWord(tokens, FOR, 2);
    const overrides = setVariables(tokens.slice(2, forAt < 0 ? undefined : forAt));
    if (forAt < 0) return { type: 'SET', tables: [], operations: [], sessionOverrides: overrides };
    const inner = classifyTokens(tokens.slice(forAt + 1), text);
    return { ...inner, sessionOverrides: [...overrides, ...(inner.sessionOverrides ?? [])] };
  }
  if (word(1) === 'NAMES' || word(1) === 'CHARSET' || (word(1) === 'CHARACTER' && word(2) === 'SET'))
    return { type: 'SET', tables: [], operations: [], sessionOverrides: ['names'] };
  if (word(1) === 'TRANSACTION' || (SCOPES.has(word(1)) && word(2) === 'TRANSACTION'))
    return { type: 'SET', tables: [], operations: [], sessionOverrides: ['transaction'] };
  return { type: 'SET', tables: [], operations: [], sessionOverrides: setVariables(tokens.slice(1)) };
}

/**
 * Names of the server variables in `[GLOBAL|SESSION] name = v, @@global.name = v, @user = v`,
 * lower-case; a GLOBAL or PERSIST one also as `global.<name>`. User variables change nothing.
 */
function setVariables(tokens: readonly Token[]): string[] {
  const names: string[] = [];
  const punct = (i: number, v: string) => tokens[i]?.kind === 'punct' && tokens[i]?.value === v;
  const word = (i: number) => (tokens[i]?.kind === 'word' ? (tokens[i] as { upper: string }).upper : '');
  let i = 0;
  while (i < tokens.length) {
    let scope = 'SESSION';
    if (SCOPES.has(word(i)) && !punct(i + 1, '=')) scope = word(i++);
    let user = false;
    if (punct(i, '@') && punct(i + 1, '@')) {
      i += 2;
      if (SCOPES.has(word(i)) && punct(i + 1, '.')) {
        scope = word(i);
        i += 2;
      }
    } else if (punct(i, '@')) user = true;
    const name = tokens[i];
    if (!user && name && (name.kind === 'word' || name.kind === 'quoted')) {
      const lower = name.value.toLowerCase();
      names.push(lower);
      if (scope === 'GLOBAL' || scope.startsWith('PERSIST')) names.push(`global.${lower}`);
    }
    // Skip the value, up to the next top-level comma.
    let depth = 0;
    while (i < tokens.length && !(depth === 0 && punct(i, ','))) {
      if (punct(i, '(')) depth++;
      if (punct(i, ')')) depth--;
      i++;
    }
    i++;
  }
  return [...new Set(names)];
}

const INDEX_WORDS = new Set(['INDEX', 'KEY', 'FULLTEXT', 'SPATIAL', 'UNIQUE']);

/** The operation of an `ADD ...` clause, given its words after ADD. */
function addOperation(words: readonly string[]): AlterOperation {
  const [b = '', ...rest] = words;
  const kind =
    b === 'CONSTRAINT' ? (rest.find((w) => ['PRIMARY', 'FOREIGN', 'UNIQUE', 'CHECK'].includes(w)) ?? '') : b;
  if (kind === 'PRIMARY') return 'ADD_PRIMARY_KEY';
  if (kind === 'FOREIGN') return 'ADD_FOREIGN_KEY';
  if (kind === 'CHECK') return 'ADD_CONSTRAINT';
  if (INDEX_WORDS.has(kind)) return 'ADD_INDEX';
  if (kind === 'PARTITION') return 'PARTITION';
  return 'ADD_COLUMN';
}

/** The operation of a `DROP ...` clause, given its words after DROP. */
function dropOperation(b: string): AlterOperation {
  if (b === 'INDEX' || b === 'KEY') return 'DROP_INDEX';
  if (b === 'PRIMARY') return 'DROP_PRIMARY_KEY';
  if (b === 'FOREIGN') return 'DROP_FOREIGN_KEY';
  if (b === 'CONSTRAINT' || b === 'CHECK') return 'DROP_CONSTRAINT';
  if (b === 'PARTITION') return 'DROP_PARTITION';
  return 'DROP_COLUMN';
}

/** ALTER TABLE operations visible in keywords, including clauses node-sql-parser rejects. */
function alterOperationsByKeywords(tokens: readonly Token[], afterName: number): AlterOperation[] {
  // Clauses are separated by top-level commas: `ALTER TABLE t DROP a, ADD b INT, ...`.
  const clauses: string[][] = [[]];
  let depth = 0;
  for (const t of tokens.slice(afterName)) {
    if (t.kind === 'punct' && t.value === '(') depth++;
    if (t.kind === 'punct' && t.value === ')') depth--;
    if (t.kind === 'punct' && t.value === ',' && depth === 0) clauses.push([]);
    else (clauses[clauses.length - 1] as string[]).push(t.kind === 'word' ? t.upper : t.value);
  }
  const ops = new Set<AlterOperation>();
  let partitionList = false;
  for (const clause of clauses) {
    const [a = '', b = '', c = '', d = ''] = clause;
    // `DROP PARTITION p1, p2`: the names after the first are not clauses of their own.
    if (partitionList && clause.length === 1) continue;
    partitionList = (a === 'DROP' || a === 'TRUNCATE') && b === 'PARTITION';
    if (a === '' || a === 'ALGORITHM' || a === 'LOCK') continue;
    if (a === 'CONVERT') ops.add('CONVERT_CHARSET');
    else if (a === 'ALTER' && ['SET', 'DROP'].includes(b === 'COLUMN' ? d : c)) ops.add('SET_DEFAULT');
    else if (a === 'RENAME' && (b === 'INDEX' || b === 'KEY')) ops.add('RENAME_INDEX');
    else if (a === 'RENAME' && b === 'COLUMN') ops.add('RENAME_COLUMN');
    else if (a === 'RENAME') ops.add('RENAME_TABLE');
    else if (a === 'TRUNCATE' && b === 'PARTITION') ops.add('TRUNCATE_PARTITION');
    else if (
      a === 'PARTITION' ||
      a === 'REORGANIZE' ||
      a === 'COALESCE' ||
      a === 'EXCHANGE' ||
      a === 'REMOVE'
    )
      ops.add('PARTITION');
    else if (a === 'ADD') ops.add(b === 'COLUMN' ? 'ADD_COLUMN' : addOperation(clause.slice(1)));
    else if (a === 'DROP') ops.add(dropOperation(b));
    else if (a === 'MODIFY') ops.add('MODIFY_COLUMN');
    else if (a === 'CHANGE') ops.add('CHANGE_COLUMN');
    else ops.add('TABLE_OPTION');
  }
  return [...ops];
}
