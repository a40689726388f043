// The deploy side of an online schema change: a StatementExecutor (src/deploy/execute.ts) that
// takes the ALTER TABLE statements the environment's onlineSchemaChange sends to the tool. The
// method is decided again from the live table just before the statement runs (rows change, and
// earlier migrations of the same deploy may have changed the table); the deploy log says when
// that differs from what the deploy found when it started.
import { quoteIdentifier } from '../db/connect.js';
import type { ConnectionTarget } from '../db/url.js';
import type { PendingStatement, StatementExecutor, StatementOutcome } from '../deploy/execute.js';
import type { OnlineSchemaChangePolicy } from '../policy/types.js';
import type { StatementFacts } from '../sql/facts.js';
import { alterClauseOf } from './alter-clause.js';
import { decideExecution, describeExecution, type Execution, methodChange } from './decide.js';
import { inspectTable, type Queryable } from './inspect.js';
import { cleanUpLeftovers, findLeftovers, hasLeftovers } from './leftovers.js';
import type { OnlineSchemaChanger } from './tool.js';

/** What a deploy needs to route ALTERs: the environment's setting, the tool, and the statements' facts. */
export interface OnlineDeploy {
  readonly policy: OnlineSchemaChangePolicy;
  readonly tool: OnlineSchemaChanger;
  /** The facts of an ALTER TABLE statement (the SQL parser runs only for these). */
  readonly factsOf: (text: string) => Promise<StatementFacts>;
  /** Seconds between the tool's progress lines (default 5). */
  readonly progressSeconds?: number;
}

export interface OnlineTarget {
  readonly environment: string;
  readonly database: string;
  readonly target: ConnectionTarget;
  /** Reads the table's shape and leftovers (the deploy's control session). */
  readonly reader: Queryable;
  readonly lockWaitTimeoutSeconds: number;
  readonly log: (line: string) => void;
}

/** The ALTER's table, in the deploy's database unless the statement names another. */
export function alterTarget(text: string, database: string): { schema: string; table: string } | undefined {
  const cut = alterClauseOf(text);
  return cut ? { schema: cut.schema ?? database, table: cut.table } : undefined;
}

/** Decide how an ALTER runs against the table as it is now; undefined when it is not an ALTER TABLE. */
export async function decideLive(
  online: OnlineDeploy,
  where: OnlineTarget,
  statement: Pick<PendingStatement, 'file' | 'text'>,
): Promise<Execution | undefined> {
  const at = alterTarget(statement.text, where.database);
  if (!at) return undefined;
  const facts = await online.factsOf(statement.text);
  if (facts.type !== 'ALTER_TABLE') return undefined;
  const shape = await inspectTable(where.reader, at.schema, at.table);
  return decideExecution(
    {
      environment: where.environment,
      database: where.database,
      file: statement.file,
      facts,
      tableRows: shape.exists ? shape.rows : 'unknown',
      affectedRows: 'unknown',
    },
    online.policy,
    shape,
  );
}

function label(s: Pick<PendingStatement, 'file' | 'index' | 'line'>): string {
  return `statement ${s.index + 1} of ${s.file} (line ${s.line})`;
}

export class OnlineExecutor implements StatementExecutor {
  readonly via: string;
  private readonly decided = new Map<string, Execution>();

  constructor(
    private readonly online: OnlineDeploy,
    private readonly where: OnlineTarget,
    /** What the deploy decided for each statement when it started, to say when the live table changes it. */
    private readonly atStart: ReadonlyMap<string, Execution> = new Map(),
  ) {
    this.via = online.tool.tool;
  }

  static key(s: Pick<PendingStatement, 'file' | 'index'>): string {
    return `${s.file}#${s.index}`;
  }

  async accepts(statement: PendingStatement): Promise<boolean> {
    const live = await decideLive(this.online, this.where, statement);
    if (!live || live.method === 'inline') {
      this.logChange(statement, live);
      return false;
    }
    this.logChange(statement, live);
    this.decided.set(OnlineExecutor.key(statement), live);
    return true;
  }

  private logChange(statement: PendingStatement, live: Execution | undefined): void {
    const before = this.atStart.get(OnlineExecutor.key(statement));
    if (!before || !live) return;
    const change = methodChange(before, live, 'the deploy started');
    if (change) this.where.log(`${this.where.database}: ${label(statement)}: ${change}`);
  }

  async execute(statement: PendingStatement, signal: AbortSignal): Promise<StatementOutcome> {
    const { where, online } = this;
    const execution = this.decided.get(OnlineExecutor.key(statement));
    this.decided.delete(OnlineExecutor.key(statement));
    const at = alterTarget(statement.text, where.database);
    const cut = alterClauseOf(statement.text);
    if (!execution || !at || !cut) return { kind: 'failed', error: new Error('no online decision for it') };
    if (execution.method === 'refused') return { kind: 'failed', error: new Error(execution.message) };
    if (execution.method !== 'online') return { kind: 'failed', error: new Error('not an online change') };
    where.log(`${where.database}: ${label(statement)}: ${describeExecution(execution)}`);
    let lastPercent = -1;
    const result = await online.tool.run({
      target: where.target,
      database: at.schema,
      table: at.table,
      clause: cut.clause,
      options: execution.options,
      lockWaitTimeoutSeconds: where.lockWaitTimeoutSeconds,
      log: (line) => where.log(`${where.database}: ${online.tool.tool}: ${line}`),
      onProgress: (p) => {
        if (p.percent === lastPercent) return;
        lastPercent = p.percent;
        where.log(`${where.database}: ${at.table}: copied ${p.percent}%, ${p.eta} left`);
      },
      signal,
      ...(online.progressSeconds !== undefined ? { progressSeconds: online.progressSeconds } : {}),
    });
    if (result.ok) return { kind: 'applied' };
    // The tool drops its triggers and copy when it fails or is stopped; make sure, since a copy
    // left behind would make the next run fail, and find out whether it had already swapped.
    const leftovers = await findLeftovers(where.reader, at.schema, at.table);
    const swapped =
      hasLeftovers(leftovers) &&
      (await cleanUpLeftovers(where.reader, at.schema, leftovers, where.log)).swapped;
    const status =
      result.exitCode !== null ? `exit status ${result.exitCode}` : `stopped by ${result.signal}`;
    if (swapped) {
      where.log(
        `${where.database}: ${online.tool.tool} ended with ${status} after swapping in the altered table; the change is in place`,
      );
      return { kind: 'applied' };
    }
    const why = signal.aborted
      ? `cancelled (${String(signal.reason ?? 'signal')}); ${online.tool.tool} was stopped (${status}) and dropped its copy and triggers, so ${quoteIdentifier(at.schema)}.${quoteIdentifier(at.table)} is as it was`
      : `${online.tool.tool} failed (${status}): ${result.error ?? 'no message'}; ${quoteIdentifier(at.schema)}.${quoteIdentifier(at.table)} is as it was`;
    return { kind: 'failed', error: new Error(why) };
  }
}
