// Dispatch a parsed statement to its family by the type the keywords gave it.
import type { Ast, AstDetails } from './ast-details.js';
import { NO_DETAILS } from './ast-details.js';
import { alterTableDetails } from './families/alter-table.js';
import { deleteDetails, insertDetails, updateDetails } from './families/dml.js';
import { createIndexDetails, dropIndexDetails } from './families/index.js';
import {
  createTableDetails,
  dropTableDetails,
  renameTableDetails,
  truncateDetails,
} from './families/table.js';
import { createViewDetails, dropViewDetails } from './families/view.js';
import type { StatementType } from './statement-types.js';

const FAMILIES: Partial<Record<StatementType, (ast: Ast) => AstDetails>> = {
  CREATE_TABLE: createTableDetails,
  ALTER_TABLE: alterTableDetails,
  DROP_TABLE: dropTableDetails,
  RENAME: renameTableDetails,
  TRUNCATE: truncateDetails,
  CREATE_INDEX: createIndexDetails,
  DROP_INDEX: dropIndexDetails,
  CREATE_VIEW: createViewDetails,
  DROP_VIEW: dropViewDetails,
  INSERT: insertDetails,
  REPLACE: insertDetails,
  UPDATE: updateDetails,
  DELETE: deleteDetails,
};

export function detailsFromAst(type: StatementType, ast: Ast): AstDetails {
  const node = Array.isArray(ast) ? ast[0] : ast;
  const family = FAMILIES[type];
  return family && node ? family(node) : NO_DETAILS;
}
