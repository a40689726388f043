// CREATE TABLE, DROP TABLE, RENAME TABLE, TRUNCATE.
import { type Ast, type AstDetails, NO_DETAILS, tableNames } from '../ast-details.js';

export function createTableDetails(ast: Ast): AstDetails {
  return { ...NO_DETAILS, tables: tableNames(ast.table) };
}

export function dropTableDetails(ast: Ast): AstDetails {
  return { ...NO_DETAILS, tables: tableNames(ast.name) };
}

export function renameTableDetails(ast: Ast): AstDetails {
  const pairs: Ast[] = Array.isArray(ast.table) ? ast.table : [];
  return { ...NO_DETAILS, tables: pairs.flatMap((pair) => tableNames(pair)) };
}

export function truncateDetails(ast: Ast): AstDetails {
  return { ...NO_DETAILS, tables: tableNames(ast.name) };
}
