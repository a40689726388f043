// INSERT, REPLACE, UPDATE, DELETE: the tables written and whether the write is bounded.
import { type Ast, type AstDetails, NO_DETAILS, tableNames } from '../ast-details.js';
import { alwaysTrue } from '../constant-where.js';

/** Whether a WHERE bounds the write: present and not true for every row. */
function bounded(where: Ast): boolean {
  return where != null && !alwaysTrue(where);
}

/** `LIMIT n` as a number, when it is a literal. */
function limitOf(ast: Ast): { limit: number } | object {
  const value = ast.limit?.value;
  const n = Array.isArray(value) && value.length === 1 ? Number(value[0]?.value) : Number.NaN;
  return Number.isFinite(n) ? { limit: n } : {};
}

export function insertDetails(ast: Ast): AstDetails {
  const values =
    ast.values?.type === 'values' && Array.isArray(ast.values.values) ? ast.values.values.length : undefined;
  return {
    ...NO_DETAILS,
    tables: tableNames(ast.table),
    ...(values !== undefined ? { insertRows: values } : {}),
  };
}

export function updateDetails(ast: Ast): AstDetails {
  return { ...NO_DETAILS, tables: tableNames(ast.table), hasWhere: bounded(ast.where), ...limitOf(ast) };
}

export function deleteDetails(ast: Ast): AstDetails {
  // `DELETE s FROM sessions s JOIN ...` names its targets in `table`, possibly by alias; plain
  // `DELETE FROM t` only in `from`. Resolve aliases to the tables they stand for.
  const from: Ast[] = Array.isArray(ast.from) ? ast.from : [];
  const targets: Ast[] = Array.isArray(ast.table) ? ast.table : [];
  const resolved = targets.map((t) => from.find((f) => f.as && f.as === t.table && !t.db) ?? t);
  const tables = tableNames(resolved);
  return {
    ...NO_DETAILS,
    tables: tables.length > 0 ? tables : tableNames(from),
    hasWhere: bounded(ast.where),
    ...limitOf(ast),
  };
}
