import type { ChangeSource } from '../policy/types.js';
import type { AstDetails } from './ast-details.js';
import type { KeywordClass } from './classify.js';
import { detach } from './detach.js';
import { type AlterOperation, type StatementType, sourceOf } from './statement-types.js';
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
  /** Only for UPDATE and DELETE. */
  readonly hasWhere?: boolean;
  /** Rows an INSERT/REPLACE ... VALUES writes. */
  readonly insertRows?: number;
  readonly destructive: boolean;
  readonly backwardIncompatible: boolean;
  readonly dataDependent: boolean;
  readonly tableRewrite: boolean;
  readonly hasAlgorithm: boolean;
  readonly hasLock: boolean;
  readonly parse: ParseOutcome;
}

const DESTRUCTIVE_TYPES: ReadonlySet<StatementType> = new Set([
  'DROP_TABLE',
  'DROP_DATABASE',
  'DROP_SCHEMA',
  'TRUNCATE',
]);

function optionGiven(text: string, option: 'ALGORITHM' | 'LOCK'): boolean {
  const tokens = leadingTokens(text, 400);
  return tokens.some(
    (t, i) =>
      t.kind === 'word' &&
      t.upper === option &&
      tokens[i + 1]?.kind === 'punct' &&
      tokens[i + 1]?.value === '=',
  );
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
  return {
    type,
    source: sourceOf(type),
    tables: [...new Set(tables)].map(detach),
    operations,
    ...(details?.hasWhere !== undefined ? { hasWhere: details.hasWhere } : {}),
    ...(details?.insertRows !== undefined ? { insertRows: details.insertRows } : {}),
    destructive: DESTRUCTIVE_TYPES.has(type) || operations.includes('DROP_COLUMN'),
    backwardIncompatible:
      type === 'RENAME_TABLE' ||
      operations.includes('RENAME_TABLE') ||
      operations.includes('RENAME_COLUMN') ||
      (details?.renamesColumn ?? false),
    dataDependent: details?.dataDependent ?? false,
    tableRewrite:
      operations.includes('MODIFY_COLUMN') ||
      operations.includes('CHANGE_COLUMN') ||
      operations.includes('CONVERT_CHARSET'),
    hasAlgorithm: alters && (details?.hasAlgorithm ?? optionGiven(text, 'ALGORITHM')),
    hasLock: alters && (details?.hasLock ?? optionGiven(text, 'LOCK')),
    parse,
  };
}

function mergeOps(a: readonly AlterOperation[], b: readonly AlterOperation[]): AlterOperation[] {
  return [...new Set([...a, ...b])];
}
