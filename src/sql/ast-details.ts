import type { AlterOperation } from './statement-types.js';

/** What the AST adds to the keyword classification of a statement. */
export interface AstDetails {
  readonly tables: readonly string[];
  readonly operations: readonly AlterOperation[];
  readonly hasWhere?: boolean;
  /** Rows an INSERT/REPLACE ... VALUES writes. */
  readonly insertRows?: number;
  /** The change may fail depending on the data (unique index, NOT NULL without default). */
  readonly dataDependent: boolean;
  /** A column is renamed (CHANGE old new). */
  readonly renamesColumn: boolean;
  /** A UNIQUE, PRIMARY KEY, FOREIGN KEY or CHECK constraint is added: old writes may now fail. */
  readonly addsConstraint?: boolean;
  /** `LIMIT n` of an UPDATE or DELETE. */
  readonly limit?: number;
  /** The `ALGORITHM=` value, upper-case, when the AST tells. */
  readonly algorithm?: string;
  /** `ALGORITHM=` / `LOCK=` given, when the AST tells; undefined leaves it to the keywords. */
  readonly hasAlgorithm?: boolean;
  readonly hasLock?: boolean;
}

// node-sql-parser's AST is untyped JSON; families read it defensively.
// biome-ignore lint/suspicious/noExplicitAny: the parser's AST has no usable types.
export type Ast = any;

export function tableName(ref: Ast): string | undefined {
  if (!ref || typeof ref !== 'object') return undefined;
  const table = ref.table ?? ref.view;
  if (typeof table !== 'string') return undefined;
  return ref.db ? `${ref.db}.${table}` : table;
}

export function tableNames(refs: Ast): string[] {
  const list = Array.isArray(refs) ? refs : [refs];
  return list.map(tableName).filter((t): t is string => t !== undefined);
}

export const NO_DETAILS: AstDetails = {
  tables: [],
  operations: [],
  dataDependent: false,
  renamesColumn: false,
};
