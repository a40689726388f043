// How one statement runs in one database: inline, online through a tool, or refused before any
// work. Pure: the facts, the row count and what is known of the table go in, a decision comes out,
// so the plan (with estimates) and the deploy (with the live table) decide by the same code.
import type {
  ForeignKeyMethod,
  OnlineSchemaChangePolicy,
  OnlineTool,
  SourceLocation,
} from '../policy/types.js';
import { evaluateCondition } from '../risk/conditions.js';
import type { Estimate, StatementContext } from '../risk/context.js';

/** What the database says about the table an ALTER targets (read by src/online/inspect.ts). */
export interface TableShape {
  readonly exists: boolean;
  readonly rows: number;
  /** A primary key, or a unique key whose columns are all NOT NULL: the tool chunks and deletes by it. */
  readonly hasPrimaryOrUniqueKey: boolean;
  /** Triggers on the table, other than an online tool's own. */
  readonly triggers: readonly string[];
  /** Foreign keys of other tables that reference this one, as `child_table.constraint`. */
  readonly childForeignKeys: readonly string[];
  /** MariaDB ≥ 10.2.3 and MySQL ≥ 5.7.2 allow several triggers per event (needed to keep existing ones). */
  readonly multipleTriggersSupported: boolean;
}

export interface OnlineOptions {
  readonly chunkSize: number;
  readonly maxLoad: string;
  readonly criticalLoad: string;
  /** Set only when child tables reference the table. */
  readonly foreignKeys?: ForeignKeyMethod;
  /** The table has triggers of its own that must survive the swap. */
  readonly preserveTriggers: boolean;
}

export type RefusalReason =
  | 'rename-table'
  | 'rename-column'
  | 'drop-primary-key'
  | 'unparsed'
  | 'no-unique-key'
  | 'triggers'
  | 'foreign-keys';

export type Execution =
  | {
      readonly method: 'inline';
      /** Why: not an ALTER TABLE, no setting for the environment, or its condition does not hold. */
      readonly because: 'not-an-alter' | 'no-policy' | 'condition-false' | 'table-missing';
      readonly rows: Estimate;
    }
  | {
      readonly method: 'online';
      readonly tool: OnlineTool;
      readonly table: string;
      readonly rows: Estimate;
      readonly options: OnlineOptions;
      /** Facts that were unknown and made the condition hold (decided again at deploy). */
      readonly unknownFacts: readonly string[];
      /** The table's keys, triggers and references were not read (plan without a URL). */
      readonly tableUnchecked: boolean;
      readonly at: SourceLocation;
    }
  | {
      readonly method: 'refused';
      readonly tool: OnlineTool;
      readonly table: string;
      readonly rows: Estimate;
      readonly reason: RefusalReason;
      readonly message: string;
    };

function factRefusal(context: StatementContext, tool: OnlineTool): [RefusalReason, string] | undefined {
  const { facts } = context;
  if (!facts.parse.ok)
    return [
      'unparsed',
      `sqlgate could not parse this ALTER (${facts.parse.message}), so it cannot hand it to ${tool}; rewrite it, or exclude it from onlineSchemaChange.when`,
    ];
  if (facts.operations.includes('RENAME_TABLE'))
    return [
      'rename-table',
      `${tool} cannot rename the table (RENAME in the ALTER); rename it in its own RENAME TABLE statement, which is instant`,
    ];
  if (facts.operations.includes('RENAME_COLUMN') || facts.operations.includes('CHANGE_COLUMN'))
    if (facts.backwardIncompatible || facts.operations.includes('RENAME_COLUMN'))
      return [
        'rename-column',
        `the ALTER renames a column, which ${tool} copies by guessing the rename from the text (a wrong guess loses the column's data); rename it in its own ALTER TABLE ... RENAME COLUMN, and exclude renames from onlineSchemaChange.when (not: { operation: [RENAME_COLUMN, CHANGE_COLUMN] })`,
      ];
  if (facts.operations.includes('DROP_PRIMARY_KEY'))
    return [
      'drop-primary-key',
      `${tool} cannot drop the primary key: it copies and applies concurrent changes by that key`,
    ];
  return undefined;
}

function shapeRefusal(
  shape: TableShape,
  table: string,
  policy: OnlineSchemaChangePolicy,
): [RefusalReason, string] | undefined {
  const { tool } = policy;
  if (!shape.hasPrimaryOrUniqueKey)
    return [
      'no-unique-key',
      `table ${table} has no primary key or unique key on NOT NULL columns; ${tool} needs one to copy the table in chunks and to apply concurrent deletes. Add a primary key first (inline, or while the table is small)`,
    ];
  if (shape.triggers.length > 0 && !shape.multipleTriggersSupported)
    return [
      'triggers',
      `table ${table} has triggers (${shape.triggers.join(', ')}) and this server allows only one trigger per event, so ${tool} cannot add its own; drop them for the change or run it inline`,
    ];
  if (shape.childForeignKeys.length > 0 && policy.foreignKeys === undefined)
    return [
      'foreign-keys',
      `table ${table} is referenced by foreign keys (${shape.childForeignKeys.join(', ')}); choose how ${tool} repoints them with onlineSchemaChange.foreignKeys (rebuild_constraints, drop_swap, auto or none) in environments.yaml`,
    ];
  return undefined;
}

/**
 * The method for one statement in one database. `shape` is undefined when the table was not read
 * (no URL): the decision then rests on the facts alone and says the table is unchecked.
 */
export function decideExecution(
  context: StatementContext,
  policy: OnlineSchemaChangePolicy | undefined,
  shape?: TableShape,
): Execution {
  const rows: Estimate = shape?.exists ? shape.rows : context.tableRows;
  if (context.facts.type !== 'ALTER_TABLE') return { method: 'inline', because: 'not-an-alter', rows };
  if (!policy) return { method: 'inline', because: 'no-policy', rows };
  // A table created earlier in the same change is empty: nothing to copy.
  if (shape && !shape.exists) return { method: 'inline', because: 'table-missing', rows };
  const result = evaluateCondition(policy.when, { ...context, tableRows: rows });
  if (result.truth === 'false') return { method: 'inline', because: 'condition-false', rows };
  const table = context.facts.tables[0] ?? '?';
  const refusal =
    factRefusal(context, policy.tool) ?? (shape ? shapeRefusal(shape, table, policy) : undefined);
  if (refusal)
    return { method: 'refused', tool: policy.tool, table, rows, reason: refusal[0], message: refusal[1] };
  const foreignKeys = shape && shape.childForeignKeys.length > 0 ? policy.foreignKeys : undefined;
  return {
    method: 'online',
    tool: policy.tool,
    table,
    rows,
    options: {
      chunkSize: policy.chunkSize,
      maxLoad: policy.maxLoad,
      criticalLoad: policy.criticalLoad,
      ...(foreignKeys ? { foreignKeys } : {}),
      preserveTriggers: (shape?.triggers.length ?? 0) > 0,
    },
    unknownFacts: result.unknown,
    tableUnchecked: shape === undefined,
    at: policy.at,
  };
}

/** The method in words, as the plan, the PR comment and the deploy log show it. */
export function describeExecution(execution: Execution): string {
  const rows =
    execution.rows === 'unknown' ? 'row count unknown' : `~${execution.rows.toLocaleString('en-US')} rows`;
  switch (execution.method) {
    case 'inline':
      if (execution.because === 'table-missing') return 'inline (the table does not exist yet)';
      return execution.because === 'condition-false' ? `inline (${rows})` : 'inline';
    case 'online': {
      const notes = [
        rows,
        `copy in chunks of ${execution.options.chunkSize}`,
        ...(execution.options.foreignKeys ? [`foreign keys: ${execution.options.foreignKeys}`] : []),
        ...(execution.options.preserveTriggers ? ["keeping the table's triggers"] : []),
      ];
      const later =
        execution.unknownFacts.length > 0 || execution.tableUnchecked
          ? '; decided again at deploy from the live table'
          : '';
      return `online via ${execution.tool}, ${notes.join(', ')}${later}`;
    }
    case 'refused':
      return `refused: ${execution.message}`;
  }
}

/** The line a deploy logs when the live table changes the method decided earlier (`since`: when). */
export function methodChange(planned: Execution, live: Execution, since = 'the plan'): string | undefined {
  if (planned.method === live.method) return undefined;
  return `method changed since ${since}: ${describeExecution(planned)} → ${describeExecution(live)}`;
}
