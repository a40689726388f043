// How each ALTER of a plan will run, per database: the same decision the deploy makes, taken with
// the plan's row estimates and, with --estimate, what the live table looks like.
import type { Database, Policy } from '../policy/types.js';
import type { EstimateLookup, RiskReport } from '../risk/evaluate.js';
import { decideExecution, describeExecution, type Execution, type TableShape } from './decide.js';

/** The table's shape in one database, or undefined when it could not be read (no URL). */
export type TableShapeLookup = (database: Database, table: string) => TableShape | undefined;

export interface DatabaseExecution {
  readonly database: string;
  readonly execution: Execution;
}

/** Keyed by `executionKey`; only ALTER TABLE statements of environments with a setting appear. */
export type PlanExecutions = ReadonlyMap<string, readonly DatabaseExecution[]>;

export function executionKey(environment: string, file: string, statement: number): string {
  return `${environment}|${file}|${statement}`;
}

export function planExecutions(
  policy: Policy,
  risk: RiskReport,
  estimates: EstimateLookup | undefined,
  shapes: TableShapeLookup | undefined,
): PlanExecutions {
  const out = new Map<string, DatabaseExecution[]>();
  for (const task of risk.tasks) {
    const online = policy.environments.find((e) => e.id === task.environment)?.onlineSchemaChange;
    if (!online) continue;
    for (const statement of task.statements) {
      if (statement.facts.type !== 'ALTER_TABLE') continue;
      const list: DatabaseExecution[] = [];
      for (const name of task.databases) {
        const database = policy.databases.find((d) => d.name === name && d.environment === task.environment);
        if (!database) continue;
        const rows = estimates?.(database, task.file, statement.index).tableRows ?? 'unknown';
        const table = statement.facts.tables[0];
        const shape = table ? shapes?.(database, table) : undefined;
        const execution = decideExecution(
          {
            environment: task.environment,
            database: name,
            file: task.file,
            facts: statement.facts,
            tableRows: rows,
            affectedRows: 'unknown',
          },
          online,
          shape,
        );
        list.push({ database: name, execution });
      }
      out.set(executionKey(task.environment, task.file, statement.index), list);
    }
  }
  return out;
}

/** Every refusal of the plan, as `file:line (environment/database): message`. */
export function refusalsOf(risk: RiskReport, executions: PlanExecutions | undefined): string[] {
  const lines: string[] = [];
  for (const task of risk.tasks) {
    for (const s of task.statements) {
      for (const { database, execution } of executions?.get(
        executionKey(task.environment, task.file, s.index),
      ) ?? []) {
        if (execution.method === 'refused')
          lines.push(`${task.file}:${s.start.line} (${task.environment}/${database}): ${execution.message}`);
      }
    }
  }
  return lines;
}

/** One line per database, or one for all when they agree: `online via ..., ~N rows, ...`. */
export function executionLines(list: readonly DatabaseExecution[]): string[] {
  const described = list.map((d) => ({ database: d.database, text: describeExecution(d.execution) }));
  if (described.length === 0) return [];
  const first = described[0]?.text as string;
  if (described.every((d) => d.text === first)) return [first];
  return described.map((d) => `${d.database}: ${d.text}`);
}

/** The stable JSON shape of a decision (`plan --format json`, statement.execution). */
export function executionJson({ database, execution }: DatabaseExecution) {
  const online = execution.method === 'online' ? execution.options : undefined;
  return {
    database,
    method: execution.method,
    tool: execution.method === 'inline' ? null : execution.tool,
    rows: execution.rows === 'unknown' ? null : execution.rows,
    chunkSize: online?.chunkSize ?? null,
    maxLoad: online?.maxLoad ?? null,
    criticalLoad: online?.criticalLoad ?? null,
    foreignKeys: online?.foreignKeys ?? null,
    preserveTriggers: online?.preserveTriggers ?? false,
    decidedAtDeploy:
      execution.method === 'online' && (execution.unknownFacts.length > 0 || execution.tableUnchecked),
    refused: execution.method === 'refused' ? { reason: execution.reason, message: execution.message } : null,
    description: describeExecution(execution),
  };
}
