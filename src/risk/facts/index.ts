import type { FactDefinition } from '../context.js';
import { affectedRows } from './affected-rows.js';
import {
  backwardIncompatible,
  dataDependent,
  destructive,
  hasAlgorithm,
  hasLock,
  tableRewrite,
} from './change-categories.js';
import { database } from './database.js';
import { environment } from './environment.js';
import { file } from './file.js';
import { hasWhere } from './has-where.js';
import { callsRoutine, dynamic } from './hidden-sql.js';
import { limit } from './limit.js';
import { onlineDdl } from './online-ddl.js';
import { operation } from './operation.js';
import { rehearsalFailed, rehearsalMs } from './rehearsal.js';
import { sessionOverride } from './session-override.js';
import { statementType } from './statement-type.js';
import { table } from './table.js';
import { tableRows } from './table-rows.js';

/** Every fact a rule condition may name; the JSON Schema's condition keys must equal this list. */
export const FACTS: ReadonlyMap<string, FactDefinition> = new Map(
  [
    environment,
    database,
    table,
    statementType,
    operation,
    file,
    hasWhere,
    limit,
    affectedRows,
    tableRows,
    destructive,
    backwardIncompatible,
    dataDependent,
    tableRewrite,
    hasAlgorithm,
    hasLock,
    onlineDdl,
    callsRoutine,
    dynamic,
    sessionOverride,
    rehearsalFailed,
    rehearsalMs,
  ].map((f) => [f.name, f]),
);
