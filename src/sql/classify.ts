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
  SCHEMA: 'DROP_SCHEMA',
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

function objectType(
  tokens: readonly Token[],
  table: Record<string, StatementType>,
): { type: StatementType; at: number } | undefined {
  for (let i = 1; i < Math.min(tokens.length, 16); i++) {
    const t = tokens[i] as Token;
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

export function classifyByKeywords(text: string): KeywordClass {
  const tokens = leadingTokens(text, 200);
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
      return { type: object.type, ...none };
    }
    case 'DROP': {
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
        type: second === 'TABLE' || second === 'TABLES' ? 'RENAME_TABLE' : 'OTHER',
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
    case 'DELETE': {
      const from = wordIndex(tokens, 'FROM');
      return { type: 'DELETE', tables: from >= 0 ? tableAfter(tokens, from + 1) : [], operations: [] };
    }
    case 'LOAD':
      return { type: 'LOAD_DATA', ...none };
    case 'SELECT':
    case 'WITH':
    case 'VALUES':
    case 'TABLE':
      return { type: 'SELECT', ...none };
    case 'CALL':
      return { type: 'CALL', ...none };
    case 'SET':
      return { type: 'SET', ...none };
    case 'USE':
      return { type: 'USE', ...none };
    case 'GRANT':
      return { type: 'GRANT', ...none };
    case 'REVOKE':
      return { type: 'REVOKE', ...none };
    case 'LOCK':
      return { type: 'LOCK_TABLES', ...none };
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

const NOT_COLUMNS = new Set([
  'INDEX',
  'KEY',
  'PRIMARY',
  'FOREIGN',
  'CONSTRAINT',
  'CHECK',
  'PARTITION',
  'DEFAULT',
]);

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
  for (const [a = '', b = '', c = '', d = ''] of clauses) {
    if (a === 'CONVERT') ops.add('CONVERT_CHARSET');
    else if (a === 'ALTER' && (b === 'COLUMN' ? d : c) === 'SET') ops.add('SET_DEFAULT');
    else if (a === 'RENAME' && (b === 'INDEX' || b === 'KEY')) ops.add('RENAME_INDEX');
    else if (a === 'RENAME' && b === 'COLUMN') ops.add('RENAME_COLUMN');
    else if (a === 'RENAME') ops.add('RENAME_TABLE');
    else if (a === 'PARTITION') ops.add('PARTITION');
    else if (a === 'DROP' && !NOT_COLUMNS.has(b)) ops.add('DROP_COLUMN');
    else if (a === 'MODIFY') ops.add('MODIFY_COLUMN');
    else if (a === 'CHANGE') ops.add('CHANGE_COLUMN');
  }
  return [...ops];
}
