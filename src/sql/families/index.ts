// CREATE INDEX and DROP INDEX.
import { type Ast, type AstDetails, NO_DETAILS, tableNames } from '../ast-details.js';

export function createIndexDetails(ast: Ast): AstDetails {
  const unique = String(ast.index_type ?? '').toLowerCase() === 'unique';
  return {
    ...NO_DETAILS,
    tables: tableNames(ast.table),
    dataDependent: unique,
    addsConstraint: unique,
    hasAlgorithm: ast.algorithm_option != null,
    ...(ast.algorithm_option?.algorithm
      ? { algorithm: String(ast.algorithm_option.algorithm).toUpperCase() }
      : {}),
    hasLock: ast.lock_option != null,
  };
}

export function dropIndexDetails(ast: Ast): AstDetails {
  return { ...NO_DETAILS, tables: tableNames(ast.table) };
}
