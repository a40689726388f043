// ALTER TABLE: one operation per clause, and the data-dependent ones Atlas's analyzers name.
import { type Ast, type AstDetails, tableNames } from '../ast-details.js';
import type { AlterOperation } from '../statement-types.js';

function isNotNull(clause: Ast): boolean {
  return clause.nullable?.type === 'not null';
}

function operationOf(clause: Ast): AlterOperation {
  const action = String(clause.action ?? '').toLowerCase();
  const resource = String(clause.resource ?? '').toLowerCase();
  const keyword = String(clause.keyword ?? '').toLowerCase();
  if (resource === 'column') {
    if (action === 'add') return 'ADD_COLUMN';
    if (action === 'drop') return 'DROP_COLUMN';
    if (action === 'modify') return 'MODIFY_COLUMN';
    if (action === 'change') return 'CHANGE_COLUMN';
    if (action === 'rename') return 'RENAME_COLUMN';
  }
  if (resource === 'index') return action === 'drop' ? 'DROP_INDEX' : 'ADD_INDEX';
  if (resource === 'key') {
    if (keyword === 'primary key') return 'DROP_PRIMARY_KEY';
    if (keyword === 'foreign key') return 'DROP_FOREIGN_KEY';
    return 'DROP_INDEX';
  }
  if (resource === 'constraint') {
    if (action === 'drop') return 'DROP_CONSTRAINT';
    const type = constraintType(clause);
    if (type === 'primary key') return 'ADD_PRIMARY_KEY';
    if (type === 'foreign key') return 'ADD_FOREIGN_KEY';
    if (type.startsWith('unique')) return 'ADD_INDEX';
    return 'ADD_CONSTRAINT';
  }
  if (resource === 'partition' && action === 'drop') return 'DROP_PARTITION';
  if (resource === 'partition' && action === 'truncate') return 'TRUNCATE_PARTITION';
  if (resource === 'partition') return 'PARTITION';
  if (resource === 'table' && action === 'rename') return 'RENAME_TABLE';
  return 'TABLE_OPTION';
}

function constraintType(clause: Ast): string {
  return String(clause.create_definitions?.constraint_type ?? '').toLowerCase();
}

function isUniqueIndex(clause: Ast): boolean {
  const type = String(
    clause.create_definitions?.constraint_type ?? clause.index_type ?? clause.keyword ?? '',
  ).toLowerCase();
  return type.startsWith('unique') || type === 'primary key';
}

export function alterTableDetails(ast: Ast): AstDetails {
  const clauses: Ast[] = Array.isArray(ast.expr) ? ast.expr : [];
  const operations: AlterOperation[] = [];
  let dataDependent = false;
  let renamesColumn = false;
  let hasAlgorithm = false;
  let hasLock = false;
  let algorithm: string | undefined;
  let addsConstraint = false;
  for (const clause of clauses) {
    const op = operationOf(clause);
    // ALGORITHM= and LOCK= are options of the statement, reported as their own facts.
    const resource = String(clause.resource ?? '').toLowerCase();
    if (resource === 'algorithm') {
      hasAlgorithm = true;
      algorithm = String(clause.algorithm ?? '').toUpperCase();
    }
    if (resource === 'lock') hasLock = true;
    if (resource === 'algorithm' || resource === 'lock') continue;
    if (!operations.includes(op)) operations.push(op);
    if (op === 'ADD_COLUMN' && isNotNull(clause) && !clause.default_val && !clause.auto_increment)
      dataDependent = true;
    if ((op === 'MODIFY_COLUMN' || op === 'CHANGE_COLUMN') && isNotNull(clause)) dataDependent = true;
    if ((op === 'ADD_INDEX' || op === 'ADD_PRIMARY_KEY') && isUniqueIndex(clause)) dataDependent = true;
    if (op === 'ADD_PRIMARY_KEY' || op === 'ADD_FOREIGN_KEY' || op === 'ADD_CONSTRAINT')
      addsConstraint = true;
    if (op === 'ADD_INDEX' && isUniqueIndex(clause)) addsConstraint = true;
    if (op === 'CHANGE_COLUMN' && clause.old_column?.column !== clause.column?.column) renamesColumn = true;
  }
  return {
    tables: tableNames(ast.table),
    operations,
    dataDependent,
    renamesColumn,
    addsConstraint,
    hasAlgorithm,
    hasLock,
    ...(algorithm ? { algorithm } : {}),
  };
}
