import type { AstDetails } from './ast-details.js';
import type { KeywordClass } from './classify.js';
import { detach } from './detach.js';
import { onlineDdlClass } from './online-ddl.js';
import {
  type AlterOperation,
  type ChangeSource,
  type OnlineDdlClass,
  type StatementType,
  sourceOf,
} from './statement-types.js';
import { leadingTokens } from './tokens.js';

export type ParseOutcome =
  | { readonly ok: true; readonly via: 'ast' | 'fast-path' | 'grammar' }
  | { readonly ok: false; readonly reason: 'syntax' | 'timeout' | 'too-large'; readonly message: string };

/** Everything a risk rule can ask about one statement, independent of where it is deployed. */
export interface StatementFacts {
  readonly type: StatementType;
  readonly source: ChangeSource;
  readonly tables: readonly string[];
  readonly operations: readonly AlterOperation[];
  /** Only for UPDATE and DELETE; a WHERE that is always true (`WHERE 1=1`) counts as none. */
  readonly hasWhere?: boolean;
  /** `LIMIT n` of an UPDATE or DELETE. */
  readonly limit?: number;
  /** Rows an INSERT/REPLACE ... VALUES writes. */
  readonly insertRows?: number;
  readonly destructive: boolean;
  readonly backwardIncompatible: boolean;
  readonly dataDependent: boolean;
  readonly tableRewrite: boolean;
  readonly hasAlgorithm: boolean;
  readonly hasLock: boolean;
  /** CALL: runs a stored routine whose statements the reviewer does not see. */
  readonly callsRoutine: boolean;
  /** PREPARE / EXECUTE: runs SQL built at run time, invisible to the analysis. */
  readonly dynamic: boolean;
  /** Server variables a SET changes (`foreign_key_checks`, `global.max_connections`). */
  readonly sessionOverrides: readonly string[];
  /** How ALTER TABLE / CREATE INDEX / DROP INDEX run (see online-ddl.ts). */
  readonly onlineDdl?: OnlineDdlClass;
  readonly parse: ParseOutcome;
}

const DESTRUCTIVE_TYPES: ReadonlySet<StatementType> = new Set(['DROP_TABLE', 'DROP_DATABASE', 'TRUNCATE']);
const DESTRUCTIVE_OPERATIONS: ReadonlySet<AlterOperation> = new Set([
  'DROP_COLUMN',
  'DROP_PARTITION',
  'TRUNCATE_PARTITION',
]);

// Backward incompatible: code written for the schema before the change may fail after it. Objects
// it names are gone or renamed, a column's type may have changed, or a new constraint rejects
// writes it makes.
const INCOMPATIBLE_TYPES: ReadonlySet<StatementType> = new Set([
  'RENAME',
  'DROP_TABLE',
  'DROP_DATABASE',
  'DROP_VIEW',
  'DROP_PROCEDURE',
  'DROP_FUNCTION',
]);
const INCOMPATIBLE_OPERATIONS: ReadonlySet<AlterOperation> = new Set([
  'RENAME_TABLE',
  'RENAME_COLUMN',
  'DROP_COLUMN',
  'MODIFY_COLUMN',
  'CHANGE_COLUMN',
  'ADD_PRIMARY_KEY',
  'ADD_FOREIGN_KEY',
  'ADD_CONSTRAINT',
]);

/** The value of `ALGORITHM = x` / `LOCK = x` in the statement, upper-case, or undefined. */
function optionValue(text: string, option: 'ALGORITHM' | 'LOCK'): string | undefined {
  const tokens = leadingTokens(text, 400);
  const at = tokens.findIndex(
    (t, i) =>
      t.kind === 'word' &&
      t.upper === option &&
      tokens[i + 1]?.kind === 'punct' &&
      tokens[i + 1]?.value === '=',
  );
  if (at < 0) return undefined;
  const value = tokens[at + 2];
  return value?.kind === 'word' ? value.upper : '';
}

/**
 * Combine what the keywords say with what the AST adds. Without an AST (the parser failed) the
 * keyword classification stands alone and `parse` says why; the risk engine fails closed on it.
 */
export function buildFacts(
  text: string,
  keywords: KeywordClass,
  details: AstDetails | undefined,
  parse: ParseOutcome,
): StatementFacts {
  const operations =
    details && details.operations.length > 0
      ? mergeOps(details.operations, keywords.operations)
      : keywords.operations;
  const tables = details && details.tables.length > 0 ? details.tables : keywords.tables;
  const type = keywords.type;
  const alters = type === 'ALTER_TABLE' || type === 'CREATE_INDEX' || type === 'DROP_INDEX';
  const algorithm = alters ? (details?.algorithm ?? optionValue(text, 'ALGORITHM')) : undefined;
  const online = onlineDdlClass(type, operations, algorithm);
  return {
    type,
    source: sourceOf(type),
    tables: [...new Set(tables)].map(detach),
    operations,
    ...(details?.hasWhere !== undefined ? { hasWhere: details.hasWhere } : {}),
    ...(details?.limit !== undefined ? { limit: details.limit } : {}),
    ...(details?.insertRows !== undefined ? { insertRows: details.insertRows } : {}),
    destructive: DESTRUCTIVE_TYPES.has(type) || operations.some((op) => DESTRUCTIVE_OPERATIONS.has(op)),
    backwardIncompatible:
      INCOMPATIBLE_TYPES.has(type) ||
      operations.some((op) => INCOMPATIBLE_OPERATIONS.has(op)) ||
      (details?.renamesColumn ?? false) ||
      (details?.addsConstraint ?? false),
    dataDependent: details?.dataDependent ?? false,
    tableRewrite:
      operations.includes('MODIFY_COLUMN') ||
      operations.includes('CHANGE_COLUMN') ||
      operations.includes('CONVERT_CHARSET'),
    hasAlgorithm: alters && algorithm !== undefined,
    hasLock: alters && (details?.hasLock ?? optionValue(text, 'LOCK') !== undefined),
    callsRoutine: type === 'CALL',
    dynamic: type === 'PREPARE' || type === 'EXECUTE',
    sessionOverrides: (keywords.sessionOverrides ?? []).map(detach),
    ...(online ? { onlineDdl: online } : {}),
    parse,
  };
}

function mergeOps(a: readonly AlterOperation[], b: readonly AlterOperation[]): AlterOperation[] {
  return [...new Set([...a, ...b])];
}
