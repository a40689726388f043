// CREATE VIEW and DROP VIEW: the view is the object touched.
import { type Ast, type AstDetails, NO_DETAILS, tableNames } from '../ast-details.js';

export function createViewDetails(ast: Ast): AstDetails {
  return { ...NO_DETAILS, tables: tableNames(ast.view) };
}

export function dropViewDetails(ast: Ast): AstDetails {
  return { ...NO_DETAILS, tables: tableNames(ast.name) };
}
