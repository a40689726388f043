// Run the pending files of one database, unit by unit (see units.ts), so that every statement is
// applied exactly once and the history says so:
// - a DML statement on a transactional table commits together with its history write;
// - a START TRANSACTION … COMMIT block commits together with its history write, at its COMMIT;
// - anything else is recorded in flight first ("k applied, k+1 in flight", one write), so a
//   crash while it runs leaves it in doubt instead of guessed.
// Writes of facts already true (a file's success, the next file's start) wait for the next
// commit. Between units the deploy stops on a cancel or when the lock is lost.
import { closeQuietly, connect, quoteIdentifier, redact } from '../db/connect.js';
import { stringLiteral } from '../db/sql-literal.js';
import type { ConnectionTarget } from '../db/url.js';
import { RefusedError } from '../errors.js';
import type { RiskLevel } from '../policy/types.js';
import { cumulativeHash, extendHash } from './checksum.js';
import type { ControlSession } from './control.js';
import type { FileAction } from './decide.js';
import {
  canShareAPacket,
  outcomeUnknown,
  type PacketOutcome,
  type PendingStatement,
  SessionExecutor,
  type StatementExecutor,
  type StatementOutcome,
  type WorkSession,
} from './execute.js';
import type { InlineWrites, Progress, RevisionReadWriter } from './revisions.js';
import { type MigrationFile, versionKey } from './types.js';
import type { TableRef, Unit } from './units.js';

export type ApplyAction = Extract<FileAction, { kind: 'apply' }> & { readonly units: readonly Unit[] };

export interface ApplyContext {
  readonly database: string;
  readonly target: ConnectionTarget;
  readonly history: RevisionReadWriter;
  readonly control: ControlSession;
  readonly work: WorkSession;
  /** Tried in order; the last one accepts every statement. */
  readonly executors: readonly StatementExecutor[];
  readonly signal: AbortSignal;
  readonly appliedBy: string;
  readonly gitSha: string | null;
  readonly prOf?: (file: MigrationFile) => number | null;
  readonly riskOf?: (file: MigrationFile) => RiskLevel | null;
  /** How often a statement that timed out waiting for a lock is tried again. */
  readonly lockWaitRetries: number;
  readonly log: (line: string) => void;
  readonly onStatement?: (p: {
    database: string;
    file: string;
    statement: number;
    total: number;
  }) => void | Promise<void>;
}

export interface ApplyResult {
  readonly status: 'applied' | 'failed' | 'in-doubt';
  readonly applied: readonly { readonly file: string; readonly statements: number }[];
  readonly message?: string;
}

const ER_LOCK_WAIT_TIMEOUT = 1205;
const ER_SUBQUERY_NO_1_ROW = 1242;
const ER_QUERY_INTERRUPTED = 1317;
const TRANSACTIONAL_ENGINES = new Set(['INNODB']);
/**
 * Consecutive DML statements of a file that commit together in one packet: enough that a data
 * migration of many small statements costs a round trip and a commit per group, few enough that
 * the rows they lock are held briefly.
 */
const MAX_GROUP = 200;
/** And at most this many bytes of packet, whatever max_allowed_packet allows. */
const MAX_GROUP_BYTES = 4 * 1024 * 1024;
/** The most files of one statement sent in one packet (see FileRun.runChain). */
const MAX_CHAIN = 100;

/** A driver or server error as one line, without the password, naming what it means. */
export function describeError(error: unknown, target: ConnectionTarget): string {
  const e = error as { code?: string; errno?: number; sqlMessage?: string; message?: string };
  let text = e.sqlMessage ?? e.message ?? String(error);
  if (/Can't add new command when connection is in closed state/.test(text))
    text = 'the connection to the server was already closed';
  if (e.errno === ER_QUERY_INTERRUPTED) text = `${text} (stopped by KILL QUERY or a server shutdown)`;
  return redact(
    e.code && !e.code.startsWith('SQLGATE') ? `${e.code}${e.errno ? ` (${e.errno})` : ''}: ${text}` : text,
    target,
  );
}

function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

class Stop extends Error {
  constructor(readonly result: Omit<ApplyResult, 'applied'>) {
    super(result.message);
  }
}

export async function applyFiles(ctx: ApplyContext, pending: readonly ApplyAction[]): Promise<ApplyResult> {
  const applied: { file: string; statements: number }[] = [];
  const engines = new EngineCache(ctx);
  const session: SessionState = { changed: false };
  let useChanged = false;
  try {
    for (let a = 0; a < pending.length; ) {
      const action = pending[a] as ApplyAction;
      // Each migration starts in the deploy's database, whatever an earlier one selected.
      if (useChanged) await ctx.work.run(`USE ${quoteIdentifier(ctx.database)}`);
      useChanged = false;
      const file = new FileRun(ctx, action, engines, session);
      const chain = await file.chainWith(pending.slice(a + 1, a + MAX_CHAIN));
      if (chain) {
        a += await FileRun.runChain(ctx, chain, applied);
        continue;
      }
      a++;
      try {
        await file.run();
      } catch (error) {
        if (error instanceof Stop && error.result.status === 'failed' && (file.ran > 0 || action.from > 0))
          applied.push({ file: action.file.name.path, statements: file.ran });
        throw error;
      }
      applied.push({ file: action.file.name.path, statements: file.ran });
      useChanged = file.usedUse;
    }
    // The last file's success may still be queued.
    await ctx.history.flush().catch((error: unknown) => {
      throw new Stop({
        status: 'failed',
        message: `every statement ran, but the last success could not be recorded (${describeError(error, ctx.target)}); ${nextDeploy(ctx, pending)}`,
      });
    });
    return { status: 'applied', applied };
  } catch (error) {
    const lost = !(error instanceof Stop) && !(error instanceof RefusedError) && outcomeUnknown(error);
    if (!(error instanceof Stop) && !(error instanceof RefusedError) && !lost) throw error;
    // What is queued is already true (a finished statement, a started file): keep it if we can.
    await ctx.history.flush().catch(() => {});
    if (error instanceof Stop) return { ...error.result, applied };
    return {
      status: 'failed',
      applied,
      message: lost
        ? `lost the connection to ${ctx.target.masked} between statements (${describeError(error, ctx.target)}); ${nextDeploy(ctx, pending)}`
        : (error as Error).message,
    };
  }
}

/** What the next deploy will do, read from what the history durably says. */
function nextDeploy(ctx: ApplyContext, pending: readonly ApplyAction[]): string {
  for (const p of [...pending].reverse()) {
    const r = ctx.history.recorded(versionKey(p.file.name.parts));
    if (!r) continue;
    if (r.inflight !== null)
      return `the history shows statement ${r.inflight + 1} of ${p.file.name.path} in flight, so the next deploy reports it in doubt until sqlgate repair --version ${p.file.name.version} records what happened`;
    return r.applied >= p.file.statements.length
      ? `${p.file.name.path} is recorded as applied, and the next deploy goes on after it`
      : `the next deploy resumes at statement ${r.applied + 1} of ${p.file.name.path}`;
  }
  return 'the next deploy starts from the history as it is';
}

/** Engines of the tables DML writes, asked once and forgotten when a DDL may have changed them. */
class EngineCache {
  private readonly engines = new Map<string, string>();
  /**
   * Each known table under the words that name it (its name and its schema), so that a DDL
   * forgets what it names by looking up its own words: a deploy of many DDL statements on many
   * tables would otherwise search every statement once per table known. Names that are not one
   * word (quoted, with spaces or dots) are searched for as text.
   */
  private readonly byWord = new Map<string, Set<string>>();
  private readonly notOneWord = new Map<string, readonly string[]>();
  constructor(private readonly ctx: ApplyContext) {}

  private key(t: TableRef): string {
    return tableKey(t, this.ctx.database);
  }

  private set(t: TableRef, engine: string): void {
    const key = this.key(t);
    this.engines.set(key, engine);
    const parts = [t.schema ?? this.ctx.database, t.name].map((p) => p.toUpperCase());
    for (const part of parts) {
      if (!/^[A-Z0-9_$]+$/.test(part)) this.notOneWord.set(key, parts);
      else this.byWord.set(part, (this.byWord.get(part) ?? new Set()).add(key));
    }
  }

  async transactional(tables: readonly TableRef[]): Promise<boolean> {
    for (const t of tables) {
      const key = this.key(t);
      if (!this.engines.has(key)) {
        const [rows] = await this.ctx.control.query<{ e: string | null }[]>(
          'SELECT ENGINE AS e FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?',
          [t.schema ?? this.ctx.database, t.name],
        );
        // A view, a missing table or an unknown engine is treated as not transactional.
        this.set(t, String(rows[0]?.e ?? '').toUpperCase());
      }
      if (!TRANSACTIONAL_ENGINES.has(this.engines.get(key) ?? '')) return false;
    }
    return true;
  }

  /** Whether any of `tables` is known not to roll back (a packet's engine check failed for it). */
  knownNotTransactional(tables: readonly TableRef[]): boolean {
    return tables.some((t) => {
      const engine = this.engines.get(this.key(t));
      return engine !== undefined && !TRANSACTIONAL_ENGINES.has(engine);
    });
  }

  /** Whether all of `tables` are known (since their last DDL) to roll back. */
  knownTransactional(tables: readonly TableRef[]): boolean {
    return tables.every((t) => TRANSACTIONAL_ENGINES.has(this.engines.get(this.key(t)) ?? ''));
  }

  /** What a packet's engine check found. */
  found(tables: readonly TableRef[], transactional: boolean): void {
    for (const t of tables) this.set(t, transactional ? 'INNODB' : 'UNKNOWN');
  }

  /** After a statement that may have changed tables: forget those it names (all, if it could be any). */
  forget(text: string): void {
    const upper = text.toUpperCase();
    if (/^\s*(CALL|EXECUTE|BEGIN|USE)\b/.test(upper)) {
      this.engines.clear();
      this.byWord.clear();
      this.notOneWord.clear();
      return;
    }
    for (const word of new Set(upper.match(/[A-Z0-9_$]+/g) ?? [])) {
      for (const key of this.byWord.get(word) ?? []) this.engines.delete(key);
      this.byWord.delete(word);
    }
    for (const [key, parts] of this.notOneWord) {
      if (parts.some((part) => upper.includes(part))) {
        this.engines.delete(key);
        this.notOneWord.delete(key);
      }
    }
  }
}

/**
 * Whether a migration has changed the work connection's session in a way that could bend
 * sqlgate's own writes on it (sql_mode, time_zone, LOCK TABLES, sql_log_bin, ...). From then on
 * every history write goes through the control connection, whose session is sqlgate's alone:
 * each statement is recorded in flight first, a DML statement too (it can then be in doubt after
 * a crash, rather than recorded under the migration's settings). START TRANSACTION … COMMIT
 * blocks still record inside the block, as they must.
 */
interface SessionState {
  changed: boolean;
}

/** A link as placed in its chain's packet (see FileRun.runChain). */
type Placed =
  | {
      readonly kind: 'ddl';
      readonly link: ChainLink;
      /** "The link before applied, this one in flight", with its file's start: committed before its statement. */
      readonly writes: InlineWrites;
      /** Where its statement sits in the packet. */
      readonly statementAt: number;
      /** Where its writes commit when they went in the DML link before's transaction (its COMMIT); else they come just before its statement. */
      readonly carriedTo: number | null;
    }
  | {
      readonly kind: 'dml';
      readonly link: ChainLink;
      readonly packet: TransactionPacket;
      readonly statementAt: number;
    };

/**
 * Where its statement would sit had it been sent alone (after the statements its own packet
 * would begin with: its writes, or its transaction's prefix).
 */
function aloneAt(g: Placed): number {
  return (g.kind === 'ddl' ? g.writes.statements : g.packet.prefix).length;
}

/** What of the packet is its own before its statement. */
function prefixOf(g: Placed): readonly string[] {
  if (g.kind === 'dml') return g.packet.prefix;
  return g.carriedTo === null ? g.writes.statements : [];
}

/** Where it ends: its statement, or its COMMIT. */
function endOf(g: Placed): number {
  return g.kind === 'ddl' ? g.statementAt : g.statementAt + g.packet.suffix.length;
}

/** Where the write inserting its file's row commits. */
function rowAt(g: Placed): number {
  if (g.kind === 'dml') return endOf(g);
  return g.carriedTo ?? g.statementAt - 1;
}

/**
 * Whether the history shows that the DDL link before DML link `g` completed: its completion
 * commits on its own, just before `g`'s transaction starts. If it shows, it counts as written.
 */
async function completionShows(g: Placed): Promise<boolean> {
  if (g.kind !== 'dml' || g.packet.before === null || (await g.packet.before.shows()) !== true) return false;
  g.packet.before.written();
  return true;
}

/** Its writes ran. */
function written(g: Placed): void {
  if (g.kind === 'ddl') g.writes.written();
  else g.packet.written();
}

/** A file sent as one link of a chain (see FileRun.runChain). */
interface ChainLink {
  readonly run: FileRun;
  readonly unit: Extract<Unit, { kind: 'statement' }>;
  readonly statement: PendingStatement;
  /** What the link adds to the packet, its history write included. */
  readonly bytes: number;
}

// MariaDB and MySQL run what an executable comment holds ("/*!", "/*M!100500" up to its end).
/** The statement as the server reads its start. */
function runText(text: string): string {
  return text.trimStart().replace(/^\/\*M?!\d*\s*/i, '');
}

/** Whether it selects another database for what follows. */
function isUse(text: string): boolean {
  return /^USE\b/i.test(runText(text));
}

/**
 * SET (but of user variables only), LOCK TABLES and the FLUSH TABLES that lock tables like it
 * (WITH READ LOCK, FOR EXPORT: the history table is then not among those the session may write),
 * and what can run either out of sight.
 */
function mayChangeSession(text: string): boolean {
  const t = runText(text).toUpperCase();
  if (/^SET\s+@(?!@)/.test(t) && !/,(?!\s*@[^@])/.test(t.replace(/'[^']*'|"[^"]*"/g, "''"))) return false;
  // (The splitter has taken comments out of the text, so a comment between the words is no matter.)
  if (/^FLUSH\b/.test(t)) return /\b(WITH\s+READ\s+LOCK|FOR\s+EXPORT)\b/.test(t);
  return /^(SET|LOCK|CALL|EXECUTE|HANDLER)\b|^BEGIN\s+NOT\b/.test(t);
}

class FileRun {
  ran = 0;
  stopped = false;
  usedUse = false;
  private readonly key: string;
  private applied: number;
  private acc: string;
  private readonly file: MigrationFile;
  /** What runs the statement in flight, when not the work connection (an online schema change tool). */
  private inflightVia: string | null = null;

  constructor(
    private readonly ctx: ApplyContext,
    private readonly action: ApplyAction,
    private readonly engines: EngineCache,
    private readonly session: SessionState,
  ) {
    this.file = action.file;
    this.key = versionKey(this.file.name.parts);
    this.applied = action.from;
    this.acc = cumulativeHash(this.file.statements.slice(0, action.from).map((s) => s.hash));
  }

  private progress(inflight: number | null, done = false): Progress {
    return {
      applied: this.applied,
      appliedHash: this.acc,
      inflight,
      done,
      via: inflight === null ? null : this.inflightVia,
    };
  }

  private where(i: number): string {
    const s = this.file.statements[i];
    return `statement ${i + 1} of ${this.file.name.path} (line ${s?.line ?? 0})`;
  }

  private pendingStatement(i: number): PendingStatement {
    const s = this.file.statements[i] as MigrationFile['statements'][number];
    return { file: this.file.name.path, index: i, line: s.line, text: s.text, hash: s.hash };
  }

  private async advance(i: number): Promise<void> {
    this.applied = i + 1;
    this.acc = extendHash(this.acc, (this.file.statements[i] as { hash: string }).hash);
    this.ran++;
    await this.ctx.onStatement?.({
      database: this.ctx.database,
      file: this.file.name.path,
      statement: i + 1,
      total: this.file.statements.length,
    });
  }

  async run(): Promise<void> {
    this.begin();
    try {
      const units = this.action.units;
      for (let u = 0; u < units.length; ) {
        const unit = units[u] as Unit;
        this.checkCanContinue(unit.kind === 'statement' ? unit.index : unit.from);
        const group = await this.dmlGroup(units, u);
        if (group && (await this.runDmlGroup(group))) {
          u += group.length;
          continue;
        }
        // A group that could not commit whole is run again statement by statement, which says
        // exactly which one failed and keeps the ones before it.
        for (const one of group ?? [unit]) {
          this.checkCanContinue(one.kind === 'statement' ? one.index : one.from);
          if (one.kind === 'statement') await this.runStatement(one);
          else await this.runTransaction(one);
        }
        u += group?.length ?? 1;
      }
    } catch (error) {
      this.stopped = true;
      throw error;
    }
  }

  /** Queue the file's row (a start, or a resume) and, unless told not to, say which file is next. */
  private begin(announce = true): void {
    const { ctx, file, action } = this;
    const total = file.statements.length;
    ctx.history.start(
      {
        version: file.name.version,
        versionKey: this.key,
        description: file.name.description,
        file: file.name.path,
        checksum: file.checksum,
        statementsTotal: total,
        statementHashes: file.statements.map((s) => s.hash),
        appliedBy: ctx.appliedBy,
        gitSha: ctx.gitSha,
        pr: ctx.prOf?.(file) ?? null,
        risk: ctx.riskOf?.(file) ?? null,
        connection: ctx.work.id,
      },
      action.resume,
      this.progress(null, action.from >= total),
    );
    if (!announce) return;
    ctx.log(
      `${ctx.database}: ${file.name.path}${action.resume ? ` (resuming at statement ${action.from + 1})` : ''}`,
    );
  }

  /**
   * This file's one statement, if the file can be a link of a chain (see runChain): a new file of
   * one statement (a DML one on tables not known to be non-transactional), that would be sent
   * after its history write in one packet on the deploy's connection, and cannot change the
   * session. Not with an online schema change tool: whether it takes an ALTER depends on the
   * table as the earlier links leave it.
   */
  async chainLink(): Promise<ChainLink | null> {
    const { ctx, action, file } = this;
    const unit = action.units[0];
    if (action.units.length !== 1 || unit?.kind !== 'statement') return null;
    if (action.from !== 0 || action.resume || file.statements.length !== 1) return null;
    if (unit.tables !== null && this.engines.knownNotTransactional(unit.tables)) return null;
    const s = this.pendingStatement(0);
    if (ctx.executors.length !== 1 || !this.onPacketPath(s, ctx.executors[0] as StatementExecutor))
      return null;
    if (mayChangeSession(s.text) || isUse(s.text)) return null;
    return { run: this, unit, statement: s, bytes: Buffer.byteLength(s.text) + this.bookkeepingBytes() };
  }

  /** This file and those of `next` that follow it as links of one chain (two at least), within the packet size. */
  async chainWith(next: readonly ApplyAction[]): Promise<ChainLink[] | null> {
    const first = await this.chainLink();
    if (first === null) return null;
    const budget = Math.min(this.ctx.work.maxPacket, MAX_GROUP_BYTES);
    const links = [first];
    let bytes = first.bytes;
    for (const action of next) {
      const link = await new FileRun(this.ctx, action, this.engines, this.session).chainLink();
      if (link === null || bytes + link.bytes >= budget) break;
      bytes += link.bytes;
      links.push(link);
    }
    if (links.length < 2 || first.bytes >= budget) return null;
    this.checkCanContinue(0);
    return links;
  }

  /**
   * Files of one statement each (chainLink), in one packet, each after its own history write: a
   * DDL (or any statement that is not DML) after "the file before applied, this one in flight"
   * with its start; a DML statement in its own transaction with its file's row, as if sent alone
   * (see transactionPacket), after a DDL before it is recorded applied. The server stops at the
   * first error, so each write has committed before its statement starts and nothing after a
   * failure runs: what came of each file is what it would have been sent alone, one round trip
   * for them all. The one that did not apply goes on as if its own packet had come to that (a
   * retry after a lock wait timeout, a failure, an in-doubt statement). Returns how many links
   * are done; the deploy goes on after them.
   */
  static async runChain(
    ctx: ApplyContext,
    links: readonly ChainLink[],
    applied: { file: string; statements: number }[],
  ): Promise<number> {
    const paths = links.map((link) => link.run.file.name.path);
    ctx.log(
      `${ctx.database}: ${paths.length} files of one statement each, in one packet: ${paths.length > 2 ? `${paths[0]} … ${paths.at(-1)}` : paths.join(', ')}`,
    );
    const placed = FileRun.place(links);
    const executor = ctx.executors[0] as SessionExecutor;
    const outcome = await links[0]?.run.watched(
      executor.executeChain(
        placed.map((g) => ({
          prefix: prefixOf(g),
          statements: [g.link.statement],
          suffix: g.kind === 'ddl' ? [] : g.packet.suffix,
        })),
        ctx.signal,
      ),
    );
    if (outcome === undefined) return 0;
    // The link that did not apply (links.length: none), and what its own packet came to.
    let stopped = links.length;
    // (undefined: as if it had never been sent.)
    let end: () => Promise<StatementOutcome | DmlOutcome | undefined> = async () =>
      outcome as StatementOutcome;
    if (outcome.kind === 'failed') {
      // -1 (nothing of the packet ran) falls to the first link.
      stopped = Math.max(
        0,
        placed.findIndex((g) => outcome.at <= endOf(g)),
      );
      for (const earlier of placed.slice(0, stopped)) written(earlier);
      const g = placed[stopped] as Placed;
      const local = { ...outcome, at: outcome.at < 0 ? outcome.at : outcome.at - g.statementAt + aloneAt(g) };
      end =
        g.kind === 'ddl'
          ? () => g.link.run.settleInFlight(0, g.writes, local)
          : async () => {
              const result = await g.packet.settle(local);
              // The next file's writes, sent with it, failed: it goes again alone (the next file
              // then fails in its own packet, under its own name).
              return result.kind === 'alone' ? undefined : g.link.run.dmlOutcome(0, result);
            };
    } else if (outcome.kind === 'unknown') {
      const lost = await FileRun.chainLostAt(ctx, placed, outcome.received ?? 0);
      stopped = lost.at;
      const g = placed[stopped];
      // A DML link's transaction committed or not with its file's row: what the history shows.
      if (g?.kind === 'dml')
        end = async () => {
          const result = await g.packet.settle(outcome);
          const carried = placed[stopped + 1];
          if (result.kind === 'lost-after-commit' && carried?.kind === 'ddl' && carried.carriedTo !== null) {
            // It committed after the thread was asked to stop, and with it the next file's "in
            // flight": whether that one started cannot be known, and the next deploy says so.
            carried.writes.written();
            const { run } = g.link;
            return run.lostAfterCommit(run.where(0), result.error, [carried.link.run.action]);
          }
          return g.link.run.dmlOutcome(0, result);
        };
      else if (g !== undefined && lost.notSent) end = () => g.link.run.notSent(0, outcome.error);
    } else {
      for (const g of placed) written(g);
    }
    for (const [m, g] of placed.slice(0, stopped).entries()) {
      const { run, statement } = g.link;
      if (g.kind === 'dml') await g.packet.committed();
      else {
        run.engines.forget(statement.text);
        await run.advance(0);
        // Recorded by the next link's write; the last link's by the next write of the deploy.
        if (m === links.length - 1) ctx.history.progress(run.key, run.progress(null, true));
      }
      applied.push({ file: run.file.name.path, statements: 1 });
    }
    const g = placed[stopped];
    if (g === undefined) {
      // Every link applied, and only then was the connection lost: stop all the same.
      if (outcome.kind === 'unknown') {
        const lastRun = (links.at(-1) as ChainLink).run;
        lastRun.lostAfterCommit(lastRun.where(0), outcome.error);
      }
      return links.length;
    }
    const { run } = g.link;
    try {
      await run.runStatement(g.link.unit, await end());
    } finally {
      if (run.ran > 0) applied.push({ file: run.file.name.path, statements: run.ran });
    }
    return stopped + 1;
  }

  /**
   * The links' history writes, taken off the queue in order, and where each link's part of the
   * packet and its statement sit: a DDL link after its own write, or after the DML link before
   * it, whose transaction carries that write; a DML link in its own transaction.
   */
  private static place(links: readonly ChainLink[]): Placed[] {
    let offset = 0;
    // A DDL link's writes that went in the transaction of the DML link before it, and where that commits.
    let carried: { readonly writes: InlineWrites; readonly at: number } | null = null;
    return links.map((link, m): Placed => {
      const { run, unit, statement } = link;
      // A DDL before is applied once the next write commits: recorded with it. (A DML link's
      // completion commits inside its own transaction.)
      const before = links[m - 1];
      if (before !== undefined && before.unit.tables === null) before.run.queueApplied(0, true);
      if (unit.tables === null) {
        // A later link's engine check must not trust what this statement may change.
        run.engines.forget(statement.text);
        if (carried !== null) {
          const { writes, at } = carried;
          carried = null;
          return { kind: 'ddl', link, writes, statementAt: offset++, carriedTo: at };
        }
        run.begin(false);
        const writes = run.inFlightWrites(0);
        const statementAt = offset + writes.statements.length;
        offset = statementAt + 1;
        return { kind: 'ddl', link, writes, statementAt, carriedTo: null };
      }
      let next: InlineWrites | null = null;
      const packet = run.transactionPacket(
        [statement],
        unit.tables,
        () => {
          run.begin(false);
          run.queueApplied(0, true);
        },
        m === 0 ? 'in-flight' : 'all',
        () => {
          // A DDL link next: its "in flight" commits with this transaction, which ends just
          // before its statement (one commit fewer); it goes with this link if this one fails.
          const after = links[m + 1];
          if (after === undefined || after.unit.tables !== null) return [];
          after.run.begin(false);
          next = after.run.inFlightWrites(0);
          return next.statements;
        },
      );
      const statementAt = offset + packet.prefix.length;
      offset = statementAt + 1 + packet.suffix.length;
      if (next !== null) carried = { writes: next, at: offset - 1 };
      return { kind: 'dml', link, packet, statementAt };
    });
  }

  /**
   * After the connection was lost during a chain: which link did not apply, and whether it was
   * never sent (else its outcome is unknown; a DML link's is then read from the history). The
   * server is made to stop what is left of the packet first, so that what the history shows then
   * is final. A file's row is inserted by one write only, which commits before a DDL link's
   * statement and with a DML link's: the answers that came say so for the first ones, the history
   * for the rest (a row that shows is final even while a killed thread lingers; one that does not
   * is final only once it has gone). The links up to the last one whose row committed are
   * applied, except that one if it is a DDL whose statement did not answer (and whose completion,
   * written before a DML link's transaction, does not show); then it is in doubt.
   */
  private static async chainLostAt(
    ctx: ApplyContext,
    placed: readonly Placed[],
    received: number,
  ): Promise<{ readonly at: number; readonly notSent: boolean }> {
    const ended = await FileRun.endWork(ctx, placed[0]?.link.run as FileRun);
    let last = -1; // the last link whose file's row committed
    let lastApplied = false; // whether it is applied too
    for (const [m, g] of placed.entries()) {
      const rows = g.kind === 'ddl' ? g.writes : g.packet.inside;
      // A row that shows has committed for good; one that does not may still commit until the
      // thread has gone.
      const read = rowAt(g) < received || (await rows.inserted());
      const committed = read === true ? true : ended ? read : undefined;
      if (committed === false) break;
      if (committed === undefined) {
        // Unreadable, or the thread may still be running the packet: the link before is in
        // doubt unless it applied; else this one is (a DDL's write counted as committed).
        if (m > 0 && !lastApplied) lastApplied = await completionShows(g);
        if (m > 0 && !lastApplied) return { at: m - 1, notSent: false };
        if (g.kind === 'ddl') g.writes.written();
        return { at: m, notSent: false };
      }
      written(g);
      last = m;
      lastApplied = g.kind === 'dml' || g.statementAt < received;
    }
    const next = placed[last + 1];
    if (last >= 0 && !lastApplied && next !== undefined) lastApplied = await completionShows(next);
    if (last >= 0 && !lastApplied) return { at: last, notSent: false };
    // (A DDL link's statement, last in the packet, never counts as answered: sendPacket's count
    // stops short of it.)
    if (next?.kind === 'ddl') {
      // What the unsent link's write says is true (the link before applied, this one started):
      // back on the queue, as if the link had been sent alone.
      next.writes.unwritten();
    }
    return { at: last + 1, notSent: true };
  }

  /**
   * Stop what is left of the work connection's packet: KILL it from the control connection (the
   * control connection still up means the server has not restarted, so an id of this user's is
   * still the deploy's), and wait for it to go. Whether it has gone.
   */
  private static async endWork(ctx: ApplyContext, run: FileRun): Promise<boolean> {
    const id = Number(ctx.work.id);
    try {
      const [ours] = await ctx.control.query<unknown[]>(
        'SELECT 1 FROM information_schema.PROCESSLIST WHERE ID = ? AND USER = (SELECT USER FROM information_schema.PROCESSLIST WHERE ID = CONNECTION_ID())',
        [id],
      );
      if (ours.length > 0) await ctx.control.query(`KILL CONNECTION ${id}`);
    } catch {
      // Gone already, or the control connection too: the wait below says which.
    }
    return run.workEnded();
  }

  private checkCanContinue(next: number): void {
    const { ctx } = this;
    const lost = ctx.control.isLost;
    if (lost) {
      throw new Stop({
        status: 'failed',
        message: `lost the deploy lock before ${this.where(next)} (${describeError(lost, ctx.target)}); stopped there. ${nextDeploy(ctx, [this.action])}`,
      });
    }
    if (ctx.signal.aborted) throw this.cancelled(next, 'before it started');
  }

  private cancelled(i: number, what: string): Stop {
    return new Stop({
      status: 'failed',
      message: `cancelled (${String(this.ctx.signal.reason ?? 'signal')}) ${what === 'before it started' ? `before ${this.where(i)}; nothing was running` : `during ${this.where(i)}: ${what}`}; the next deploy resumes at statement ${this.applied + 1}`,
    });
  }

  private async executorFor(s: PendingStatement): Promise<StatementExecutor> {
    for (const e of this.ctx.executors) if (await e.accepts(s)) return e;
    return this.ctx.executors.at(-1) as StatementExecutor;
  }

  /** Runs a statement; if the control connection dies meanwhile, finds out whether the server is still there. */
  private execute(s: PendingStatement, executor: StatementExecutor): Promise<StatementOutcome> {
    return this.watched(executor.execute(s, this.ctx.signal));
  }

  private async watched<T extends StatementOutcome | PacketOutcome>(running: Promise<T>): Promise<T> {
    const { ctx } = this;
    const first = await Promise.race([running, ctx.control.lost.then(() => 'lost' as const)]);
    if (first !== 'lost') return first;
    if (await serverAnswers(ctx)) return running; // the lock is gone, but the statement can finish
    // What had answered before the silence says which file of a chain was running.
    const received = ctx.work.answeredSoFar();
    ctx.work.connection.destroy();
    const error = new Error(
      `the server stopped answering (${describeError(ctx.control.isLost, ctx.target)})`,
    );
    return { kind: 'unknown', error, ...(received === undefined ? {} : { received }) } as T;
  }

  private sizeCheck(i: number): void {
    const s = this.file.statements[i] as MigrationFile['statements'][number];
    const bytes = Buffer.byteLength(s.text);
    // The packet also carries a few bytes of header.
    if (bytes + 64 > this.ctx.work.maxPacket) {
      throw new SizeError(
        `${this.where(i)} is ${megabytes(bytes)}, more than the server accepts in one statement (max_allowed_packet = ${megabytes(this.ctx.work.maxPacket)}); it was not sent. Raise max_allowed_packet on the server (SET GLOBAL max_allowed_packet = ${2 ** Math.ceil(Math.log2(bytes + 1024))}, and in its configuration), or split the statement`,
      );
    }
  }

  /** Record the end of this file at statement `i` (`error` in the history, `message` in the report) and stop. */
  private async fail(
    i: number,
    message: string,
    status: 'failed' | 'in-doubt' = 'failed',
    error = message,
  ): Promise<never> {
    const { ctx } = this;
    const s = this.file.statements[i] as MigrationFile['statements'][number];
    const recorded = await ctx.history
      .finish(this.key, this.progress(status === 'in-doubt' ? i : null), {
        status,
        error,
        failedStatement: i,
        failedSql: s.text,
      })
      .then(
        () => true,
        () => false,
      );
    this.stopped = true;
    throw new Stop({
      status,
      message: recorded
        ? message
        : `${message}. The history could not be updated (the connection is gone): ${nextDeploy(ctx, [this.action])}`,
    });
  }

  private failure(i: number, error: unknown): string {
    return `${this.where(i)} failed: ${describeError(error, this.ctx.target)}; later migrations were not run`;
  }

  /** `attempt` until it does not time out waiting for a lock; `first`: what a first attempt already came to. */
  private async retrying<T extends { readonly kind: string; readonly error?: unknown }>(
    i: number,
    attempt: () => Promise<T>,
    first?: T,
  ): Promise<T> {
    for (let tries = 1; ; tries++) {
      const outcome = tries === 1 && first !== undefined ? first : await attempt();
      if (
        outcome.kind !== 'failed' ||
        (outcome.error as { errno?: number } | undefined)?.errno !== ER_LOCK_WAIT_TIMEOUT ||
        tries > this.ctx.lockWaitRetries ||
        this.ctx.signal.aborted
      )
        return outcome;
      this.ctx.log(
        `${this.ctx.database}: ${this.where(i)} timed out waiting for a lock (another session holds the table); trying again (${tries}/${this.ctx.lockWaitRetries})`,
      );
      await new Promise((r) => setTimeout(r, 1000 * tries));
      // A cancel during the wait: the statement failed (it timed out) and is not tried again.
      if (this.ctx.signal.aborted) return outcome;
    }
  }

  /** `first`: what the statement's first packet came to, when it was sent in a chain (see runChain). */
  private async runStatement(unit: Extract<Unit, { kind: 'statement' }>, first?: DmlOutcome): Promise<void> {
    const { ctx } = this;
    const i = unit.index;
    const s = this.pendingStatement(i);
    const last = i + 1 === this.file.statements.length;
    try {
      this.sizeCheck(i);
    } catch (error) {
      if (error instanceof SizeError) await this.fail(i, error.message);
      throw error;
    }
    const executor = await this.executorFor(s);
    this.inflightVia = executor.via ?? null;
    // One round trip carries the bookkeeping and the statement when the statement cannot be read
    // as two (see canShareAPacket) and the packet fits.
    const packet = this.onPacketPath(s, executor) ? executor : null;
    const dml = executor === ctx.executors.at(-1) && unit.tables !== null ? unit.tables : null;
    if (first !== undefined && (packet === null || (dml !== null && this.engines.knownNotTransactional(dml))))
      throw new Error(`internal: ${this.where(i)} was sent in a chain it cannot be part of`);
    if (packet && dml && !this.engines.knownNotTransactional(dml)) {
      const outcome = await this.retrying(i, () => this.dmlPacket(i, s, dml, last), first);
      // What the chain's packet came to is used up: a table that cannot roll back is run below.
      first = undefined;
      if (outcome.kind === 'applied') return;
      if (outcome.kind !== 'not-transactional') return this.afterTransactionFailure(i, outcome);
      this.engines.found(dml, false);
    } else if (dml && !this.session.changed && (await this.engines.transactional(dml))) {
      // A DDL's completion must not wait inside a transaction that a crash could roll back:
      // the history would show it in flight, and ask for a repair nobody needs.
      if (ctx.history.showsInFlight()) await ctx.history.flush();
      const outcome = await this.retrying(i, () =>
        this.inTransaction(i, [s], executor, () => this.queueApplied(i, last)),
      );
      if (outcome.kind === 'applied') return;
      return this.afterTransactionFailure(i, outcome);
    }
    const outcome = packet
      ? await this.retrying(
          i,
          () => this.inFlightPacket(i, s, packet),
          first?.kind === 'not-transactional' ? undefined : first,
        )
      : await this.inFlightFirst(i, s, executor);
    if (isUse(s.text)) this.usedUse = true;
    if (mayChangeSession(s.text)) this.session.changed = true;
    // Only a statement other than INSERT/UPDATE/DELETE can change a table's engine.
    if (dml === null) this.engines.forget(s.text);
    if (outcome.kind === 'applied') {
      await this.advance(i);
      // Recorded by the next write (the next statement's, the next file's, or the final one).
      ctx.history.progress(this.key, this.progress(null, last));
      if (ctx.signal.aborted && !last) throw this.cancelled(i + 1, 'before it started');
      return;
    }
    if (outcome.kind === 'failed') {
      if (ctx.signal.aborted && (outcome.error as { errno?: number }).errno === ER_QUERY_INTERRUPTED) {
        await this.fail(
          i,
          `cancelled (${String(ctx.signal.reason ?? 'signal')}) during ${this.where(i)}: it was stopped on the server before it finished, so it is recorded as not applied; the next deploy runs it again`,
        );
      }
      await this.fail(i, this.failure(i, outcome.error), 'failed', describeError(outcome.error, ctx.target));
    }
    await this.fail(
      i,
      `the connection was lost while ${this.where(i)} was running; its outcome is unknown. Check the database, then run sqlgate repair --version ${this.file.name.version} --mark applied|not-applied (${describeError(outcome.error, ctx.target)})`,
      'in-doubt',
      describeError(outcome.error, ctx.target),
    );
  }

  /** k applied, k+1 in flight: durable before the statement is sent, in a write of its own. */
  private async inFlightFirst(
    i: number,
    s: PendingStatement,
    executor: StatementExecutor,
  ): Promise<StatementOutcome> {
    this.ctx.history.progress(this.key, this.progress(i));
    await this.ctx.history.flush();
    return this.retrying(i, () => this.execute(s, executor));
  }

  /**
   * Whether `s` can follow sqlgate's writes in one packet: on the deploy's own connection, in a
   * session sqlgate still knows, read by the server as one statement, with room in the packet.
   */
  private onPacketPath(s: PendingStatement, executor: StatementExecutor): executor is SessionExecutor {
    return (
      executor instanceof SessionExecutor &&
      !this.session.changed &&
      canShareAPacket(s.text) &&
      this.fitsAPacket(s)
    );
  }

  /** Whether the statement and the bookkeeping sent with it stay well within max_allowed_packet. */
  private fitsAPacket(s: PendingStatement): boolean {
    return Buffer.byteLength(s.text) + this.bookkeepingBytes() < this.ctx.work.maxPacket;
  }

  /** At most what sqlgate's own statements add to a packet. */
  private bookkeepingBytes(): number {
    // Its writes and checks, and (only in a file's first write) every statement's hash: 64 hex
    // characters and some JSON each.
    const hashes = this.ctx.history.recorded(this.key) === undefined ? 70 * this.file.statements.length : 0;
    return 2 * 4096 + hashes;
  }

  /**
   * The history's "k applied, k+1 in flight" (with anything already true that is still queued)
   * and then the statement, in one packet: the writes commit before the statement starts, and if
   * they fail, the statement is never run.
   */
  private async inFlightPacket(
    i: number,
    s: PendingStatement,
    executor: SessionExecutor,
  ): Promise<StatementOutcome> {
    const writes = this.inFlightWrites(i);
    const outcome = await this.watched(executor.executeAfter(writes.statements, [s], this.ctx.signal));
    return this.settleInFlight(i, writes, outcome);
  }

  /** "k applied, k+1 in flight" with whatever else is queued, as statements to send before statement i. */
  private inFlightWrites(i: number): InlineWrites {
    this.ctx.history.progress(this.key, this.progress(i));
    return this.ctx.history.inline({ ownTransaction: true }) as InlineWrites;
  }

  /** What statement i came to, sent after `writes` in one packet that came to `outcome`; the writes settled to match. */
  private async settleInFlight(
    i: number,
    writes: InlineWrites,
    outcome: PacketOutcome,
  ): Promise<StatementOutcome> {
    if (outcome.kind === 'applied') {
      writes.written();
      return outcome;
    }
    if (outcome.kind === 'failed' && outcome.at === writes.statements.length) {
      writes.written();
      return { kind: 'failed', error: outcome.error };
    }
    if (outcome.kind === 'unknown') {
      // Writes that did not commit mean the statement after them never started.
      if ((await this.readBack(writes)) === 'unwritten') return this.notSent(i, outcome.error);
      return outcome;
    }
    writes.unwritten();
    await this.ctx.work.run('ROLLBACK').catch(() => {});
    return this.bookkeepingFailed(i, outcome.error);
  }

  /**
   * Consecutive INSERT/UPDATE/DELETE statements from `u` on that can run in one transaction in
   * one packet (two at least): on the deploy's connection, with a session sqlgate still knows,
   * on tables not known to be non-transactional, within MAX_GROUP statements and the packet size.
   */
  private async dmlGroup(
    units: readonly Unit[],
    u: number,
  ): Promise<Extract<Unit, { kind: 'statement' }>[] | null> {
    const { ctx } = this;
    const group: Extract<Unit, { kind: 'statement' }>[] = [];
    // The group's own bytes: each statement with ";\n" and "\n", and one InnoDB check per table
    // (well under 512 bytes); sqlgate's writes and its lock check come on top.
    const limit = Math.min(ctx.work.maxPacket - this.bookkeepingBytes(), MAX_GROUP_BYTES);
    let bytes = 0;
    const tables = new Set<string>();
    for (let k = u; k < units.length && group.length < MAX_GROUP; k++) {
      const unit = units[k] as Unit;
      if (unit.kind !== 'statement' || unit.tables === null) break;
      if (this.engines.knownNotTransactional(unit.tables)) break;
      const s = this.pendingStatement(unit.index);
      bytes += Buffer.byteLength(s.text) + 3;
      for (const t of unit.tables) {
        const key = tableKey(t, ctx.database);
        if (!tables.has(key)) bytes += 512 + Buffer.byteLength(key);
        tables.add(key);
      }
      if (bytes >= limit) break;
      const executor = await this.executorFor(s);
      if (executor !== ctx.executors.at(-1) || !this.onPacketPath(s, executor)) break;
      group.push(unit);
    }
    return group.length >= 2 ? group : null;
  }

  /**
   * The group's statements in one transaction with the history's "through the last applied", in
   * one packet with its COMMIT: all of them commit with their record, or none does. True when
   * they did; false, with everything rolled back and nothing recorded, when the group should be
   * run again statement by statement (a statement or the COMMIT failed, a table turned out not
   * to roll back). A cancel, a lost connection or a failed history write stop the deploy.
   */
  private async runDmlGroup(group: readonly Extract<Unit, { kind: 'statement' }>[]): Promise<boolean> {
    const { ctx } = this;
    const statements = group.map((unit) => this.pendingStatement(unit.index));
    const first = statements[0] as PendingStatement;
    const last = statements.at(-1) as PendingStatement;
    const what = `statements ${first.index + 1}–${last.index + 1} of ${this.file.name.path} (lines ${first.line}–${last.line}, one transaction)`;
    let acc = this.acc;
    for (const s of statements) acc = extendHash(acc, s.hash);
    const result = await this.inTransactionPacket(
      statements,
      group.flatMap((unit) => unit.tables ?? []),
      () =>
        ctx.history.progress(this.key, {
          applied: last.index + 1,
          appliedHash: acc,
          inflight: null,
          done: last.index + 1 === this.file.statements.length,
          via: null,
        }),
    );
    switch (result.kind) {
      case 'committed':
        return true;
      case 'lost-after-commit':
        return this.lostAfterCommit(what, result.error);
      case 'lost-in-doubt':
        this.stopped = true;
        throw new Stop({
          status: 'failed',
          message: `the connection was lost during ${what} (${describeError(result.error, ctx.target)}); the history row commits or not with them, so the next deploy continues from whatever the server did`,
        });
      case 'lost-rolled-back': {
        const lost = describeError(result.error, ctx.target);
        return this.fail(
          first.index,
          `the connection was lost while ${what} ran (${lost}); the transaction was rolled back with the connection, so they are recorded as not applied and the next deploy runs them again`,
          'failed',
          lost,
        );
      }
      case 'history-failed':
        return this.bookkeepingFailed(first.index, result.error);
      case 'not-transactional':
        return false;
      case 'alone':
        throw new Error(`internal: ${what} carried no other file's writes`);
      case 'failed':
        if ((result.error as { errno?: number }).errno !== ER_QUERY_INTERRUPTED) return false;
        // Stopped on the server (a cancel, or someone's KILL QUERY): not run again.
        return this.fail(
          first.index,
          `${ctx.signal.aborted ? `cancelled (${String(ctx.signal.reason ?? 'signal')})` : 'stopped on the server (KILL QUERY)'} during ${what}: rolled back, so they are recorded as not applied; the next deploy runs them again`,
        );
    }
  }

  /**
   * The connection was lost, but the history shows that what it carried committed: stop there
   * all the same (the connection is gone), saying so.
   */
  private lostAfterCommit(what: string, error: unknown, also: readonly ApplyAction[] = []): never {
    this.stopped = true;
    throw new Stop({
      status: 'failed',
      message: `lost the connection to ${this.ctx.target.masked} just after ${what} committed (${describeError(error, this.ctx.target)}); the history recorded it with it, so ${nextDeploy(this.ctx, [this.action, ...also])}`,
    });
  }

  /**
   * DML `statements` on `tables` in one transaction, in one packet (see transactionPacket). What
   * it did, with the history's queue left true and the statements advanced when they committed;
   * anything else is rolled back.
   */
  private async inTransactionPacket(
    statements: readonly PendingStatement[],
    tables: readonly TableRef[],
    record: () => void,
  ): Promise<TransactionPacketResult> {
    const packet = this.transactionPacket(statements, tables, record, 'in-flight');
    const executor = this.ctx.executors.at(-1) as SessionExecutor;
    return packet.settle(
      await this.watched(executor.executeAfter(packet.prefix, statements, this.ctx.signal, packet.suffix)),
    );
  }

  /**
   * DML `statements` on `tables` in one transaction, as a packet's statements: anything already
   * true that still waits (`before`: what shows in flight, or everything queued) commits first, on
   * its own, since a crash must not roll it back (a DDL's completion); then START TRANSACTION, a
   * check that each table is InnoDB (until one has passed since its last DDL), the history writes
   * `record` queues, the statements, a last check of the lock (they may have run for a long time)
   * and the COMMIT.
   */
  private transactionPacket(
    statements: readonly PendingStatement[],
    tables: readonly TableRef[],
    record: () => void,
    before: 'in-flight' | 'all',
    /** Writes of another's to commit with this transaction, not this packet's to settle (see runChain). */
    alongside: () => readonly string[] = () => [],
  ): TransactionPacket {
    const { ctx } = this;
    const first = ctx.history.inline({ ownTransaction: true, onlyInFlight: before === 'in-flight' });
    record();
    const inside = ctx.history.inline({ ownTransaction: false }) as InlineWrites;
    const unique = uniqueTables(tables, ctx.database);
    const checks = this.engines.knownTransactional(unique) ? [] : unique.map((t) => engineCheck(t));
    const committedFirst = first?.statements.length ?? 0;
    const along = alongside();
    const prefix = [
      ...(first?.statements ?? []),
      'START TRANSACTION',
      ...checks,
      ...inside.statements,
      ...along,
    ];
    const written = () => {
      // In the order they committed, so that what is taken as durable ends as the later.
      first?.written();
      inside.written();
    };
    const committed = async () => {
      this.engines.found(unique, true);
      for (const s of statements) await this.advance(s.index);
    };
    const settle = async (outcome: PacketOutcome): Promise<TransactionPacketResult> => {
      if (outcome.kind === 'applied') {
        written();
        await committed();
        return { kind: 'committed' };
      }
      if (outcome.kind === 'unknown') {
        // The COMMIT may have run before the connection went. The history write committed, or
        // not, with the statements, so it is read back first (a thread still there may yet
        // commit it); the writes ahead of it committed if it did, and are read back only when
        // it did not.
        const read = await this.readBack(inside);
        if (read === 'unwritten') {
          if (first) await this.readBack(first);
          // What stays queued must be true: the statements are not applied.
          ctx.history.progress(this.key, this.progress(null));
          return { kind: 'lost-rolled-back', error: outcome.error };
        }
        written();
        if (read === 'unknown') return { kind: 'lost-in-doubt', error: outcome.error };
        await committed();
        return { kind: 'lost-after-commit', error: outcome.error };
      }
      inside.unwritten();
      ctx.history.progress(this.key, this.progress(null));
      if (outcome.at >= committedFirst) first?.written();
      else first?.unwritten();
      await ctx.work.run('ROLLBACK').catch(() => {});
      const errno = (outcome.error as { errno?: number }).errno;
      const inChecks = outcome.at > committedFirst && outcome.at <= committedFirst + checks.length;
      if (inChecks && errno === ER_SUBQUERY_NO_1_ROW) return { kind: 'not-transactional' };
      if (outcome.at >= prefix.length - along.length && outcome.at < prefix.length) return { kind: 'alone' };
      if (outcome.at < prefix.length) return { kind: 'history-failed', error: outcome.error };
      // The lock check before the COMMIT, unless a KILL QUERY stopped it there.
      if (outcome.at === prefix.length + statements.length && errno !== ER_QUERY_INTERRUPTED)
        return { kind: 'history-failed', error: outcome.error };
      return { kind: 'failed', error: outcome.error };
    };
    return {
      prefix,
      suffix: [ctx.history.lockCheck(), 'COMMIT'],
      before: first,
      inside,
      written,
      committed,
      settle,
    };
  }

  /**
   * A DML statement on transactional tables in its own transaction and packet (see
   * inTransactionPacket) with the history's "k+1 applied". A table that turns out not to roll
   * back is reported as `not-transactional` with nothing run.
   */
  private async dmlPacket(
    i: number,
    s: PendingStatement,
    tables: readonly TableRef[],
    last: boolean,
  ): Promise<DmlOutcome> {
    return this.dmlOutcome(i, await this.inTransactionPacket([s], tables, () => this.queueApplied(i, last)));
  }

  /** What statement i, a DML statement sent alone in its transaction, came to. */
  private async dmlOutcome(i: number, result: TransactionPacketResult): Promise<DmlOutcome> {
    switch (result.kind) {
      case 'committed':
        return { kind: 'applied' };
      case 'lost-after-commit':
        return this.lostAfterCommit(this.where(i), result.error);
      case 'lost-in-doubt':
        return { kind: 'unknown', error: result.error, ...{ failedAt: i, atCommit: true } };
      case 'lost-rolled-back':
        return { kind: 'unknown', error: result.error, ...{ failedAt: i } };
      case 'history-failed':
        return this.bookkeepingFailed(i, result.error);
      case 'not-transactional':
        return result;
      case 'alone':
        throw new Error(`internal: ${this.where(i)} carried no other file's writes`);
      case 'failed':
        // The statement, or its COMMIT, failed: the transaction is rolled back.
        return { kind: 'failed', error: result.error, ...{ failedAt: i } };
    }
  }

  /**
   * After a lost connection: whether a packet's writes committed, read back from the history once
   * the server has finished with the packet (a thread still there may yet commit them: 'unknown',
   * and they count as written, so that what follows is reported in doubt).
   */
  private async readBack(writes: InlineWrites): Promise<'written' | 'unwritten' | 'unknown'> {
    if (await this.workEnded()) return writes.settle();
    writes.written();
    return 'unknown';
  }

  /**
   * Whether the work connection's thread has left the server (so nothing of a packet can still
   * run). A thread being killed stays listed for a moment, so it is given a few seconds.
   */
  private async workEnded(waitMs = 3000): Promise<boolean> {
    const until = Date.now() + waitMs;
    for (;;) {
      try {
        const [rows] = await this.ctx.control.query<unknown[]>(
          'SELECT 1 FROM information_schema.PROCESSLIST WHERE ID = ?',
          [this.ctx.work.id],
        );
        if (rows.length === 0) return true;
      } catch {
        return false;
      }
      if (Date.now() >= until) return false;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** The bookkeeping before statement `i` failed, so `i` was not run: stop, saying why. */
  private async bookkeepingFailed(i: number, error: unknown): Promise<never> {
    const { ctx } = this;
    // What stays queued must be true: statement i neither ran nor is in flight.
    ctx.history.progress(this.key, this.progress(null));
    if (ctx.signal.aborted && (error as { errno?: number }).errno === ER_QUERY_INTERRUPTED)
      throw this.cancelled(i, 'before it started');
    const translated = ctx.history.writeError(error);
    if (translated instanceof RefusedError) throw translated;
    return this.fail(
      i,
      `the history could not be written before ${this.where(i)} (${describeError(error, ctx.target)}); the statement was not run`,
    );
  }

  /** The connection dropped before statement `i` was sent. */
  private async notSent(i: number, error: unknown): Promise<never> {
    return this.fail(
      i,
      `lost the connection to ${this.ctx.target.masked} before ${this.where(i)} was sent (${describeError(error, this.ctx.target)}); it was not run, and the next deploy runs it`,
    );
  }

  /** Queue "statement i applied" for its transaction's history write; it counts once that commits. */
  private queueApplied(i: number, last: boolean): void {
    this.ctx.history.progress(this.key, {
      applied: i + 1,
      appliedHash: extendHash(this.acc, (this.file.statements[i] as { hash: string }).hash),
      inflight: null,
      done: last,
      via: null,
    });
  }

  /**
   * START TRANSACTION, the statements, the history write, COMMIT: the statement's effect and its
   * record commit together or not at all. `record` queues the progress to write before COMMIT.
   */
  private async inTransaction(
    i: number,
    statements: readonly PendingStatement[],
    executor: StatementExecutor,
    record: () => void,
    commit?: PendingStatement,
  ): Promise<StatementOutcome> {
    const { ctx } = this;
    const rollback = () => ctx.work.run('ROLLBACK').catch(() => {});
    if (!commit) await ctx.work.run('START TRANSACTION');
    for (const s of statements) {
      const outcome = await this.execute(s, executor);
      if (outcome.kind !== 'applied') {
        if (outcome.kind === 'failed') await rollback();
        return { ...outcome, ...{ failedAt: s.index } };
      }
    }
    record();
    try {
      await ctx.history.flush({ inStatementTransaction: true });
    } catch (error) {
      await rollback();
      throw error;
    }
    try {
      await ctx.work.run(commit?.text ?? 'COMMIT');
    } catch (error) {
      if (!outcomeUnknown(error)) {
        await rollback();
        return { kind: 'failed', error, ...{ failedAt: commit?.index ?? i } };
      }
      return { kind: 'unknown', error, ...{ failedAt: commit?.index ?? i, atCommit: true } };
    }
    // Committed: the statements count as applied now.
    const first = statements[0]?.index ?? i;
    const through = commit ? commit.index : i;
    for (let k = first; k <= through; k++) await this.advance(k);
    return { kind: 'applied' };
  }

  private async afterTransactionFailure(i: number, outcome: StatementOutcome): Promise<never> {
    const { ctx } = this;
    const at = (outcome as { failedAt?: number }).failedAt ?? i;
    if (outcome.kind === 'failed') {
      if (ctx.signal.aborted && (outcome.error as { errno?: number }).errno === ER_QUERY_INTERRUPTED) {
        return this.fail(
          at,
          `cancelled (${String(ctx.signal.reason ?? 'signal')}) during ${this.where(at)}: it was stopped on the server and its transaction rolled back, so it is recorded as not applied; the next deploy runs it again`,
        );
      }
      return this.fail(
        at,
        this.failure(at, outcome.error),
        'failed',
        describeError(outcome.error, ctx.target),
      );
    }
    if ((outcome as { atCommit?: boolean }).atCommit) {
      // Nothing may be written for this file now: whatever sqlgate wrote could contradict the
      // history row that committed, or did not, together with the statement.
      this.stopped = true;
      throw new Stop({
        status: 'failed',
        message: `the connection was lost while ${this.where(at)} and its COMMIT were in flight (${describeError((outcome as { error: unknown }).error, ctx.target)}); the history row commits or not with it, so the next deploy continues from whatever the server did`,
      });
    }
    return this.fail(
      at,
      `the connection was lost while ${this.where(at)} was running (${describeError((outcome as { error: unknown }).error, ctx.target)}); its transaction was rolled back with the connection, so it is recorded as not applied and the next deploy runs it again`,
    );
  }

  private async runTransaction(unit: Extract<Unit, { kind: 'transaction' }>): Promise<void> {
    const { ctx } = this;
    for (let k = unit.from; k <= unit.to; k++)
      if (mayChangeSession(this.file.statements[k]?.text ?? '')) this.session.changed = true;
    for (let k = unit.from; k <= unit.to; k++) {
      try {
        this.sizeCheck(k);
      } catch (error) {
        if (error instanceof SizeError) await this.fail(k, error.message);
        throw error;
      }
    }
    const executor = ctx.executors.at(-1) as StatementExecutor;
    if (unit.tables === null || !(await this.engines.transactional(unit.tables))) {
      await this.fail(
        unit.from,
        `the transaction starting at ${this.where(unit.from)} writes a table that cannot roll back (not InnoDB), or one sqlgate cannot tell from the statement: it could not be applied exactly once, so it was not started. Use InnoDB tables, or take the statements out of START TRANSACTION … COMMIT`,
      );
    }
    if (ctx.history.showsInFlight()) await ctx.history.flush();
    const last = unit.to + 1 === this.file.statements.length;
    const inner: PendingStatement[] = [];
    for (let k = unit.from; k < unit.to; k++) inner.push(this.pendingStatement(k));
    const end = this.pendingStatement(unit.to);
    if (unit.end === 'rollback') {
      // Nothing of it stays: rerunning it after a crash changes nothing either.
      for (const s of [...inner, end]) {
        const outcome = await this.execute(s, executor);
        if (outcome.kind !== 'applied')
          return this.afterTransactionFailure(s.index, { ...outcome, ...{ failedAt: s.index } });
      }
      for (let k = unit.from; k <= unit.to; k++) await this.advance(k);
      ctx.history.progress(this.key, this.progress(null, last));
      return;
    }
    const outcome = await this.retrying(unit.from, () =>
      this.inTransaction(
        unit.from,
        inner,
        executor,
        () => {
          let acc = this.acc;
          for (let k = unit.from; k <= unit.to; k++)
            acc = extendHash(acc, (this.file.statements[k] as { hash: string }).hash);
          ctx.history.progress(this.key, {
            applied: unit.to + 1,
            appliedHash: acc,
            inflight: null,
            done: last,
          });
        },
        end,
      ),
    );
    if (outcome.kind !== 'applied') return this.afterTransactionFailure(unit.from, outcome);
  }
}

/** DML statements in one transaction, ready to send (see FileRun.transactionPacket). */
interface TransactionPacket {
  /** What goes before the statements, and after them (the lock check and the COMMIT). */
  readonly prefix: readonly string[];
  readonly suffix: readonly string[];
  /** The writes that commit on their own before the transaction starts, if any. */
  readonly before: InlineWrites | null;
  /** The history writes that commit, or not, with the statements (the file's row, if new). */
  readonly inside: InlineWrites;
  /** Its writes ran: both. */
  written(): void;
  /** It committed: the tables are known to roll back, and the statements count as applied. */
  committed(): Promise<void>;
  /** What it did, from what its packet came to (a failure's `at` counted from its prefix's start); the history's queue left true. */
  settle(outcome: PacketOutcome): Promise<TransactionPacketResult>;
}

/** What a DML statement's own packet came to (see FileRun.dmlPacket). */
type DmlOutcome = StatementOutcome | { readonly kind: 'not-transactional' };

/** What a DML packet did (see FileRun.inTransactionPacket). */
type TransactionPacketResult =
  | { readonly kind: 'committed' }
  /** The connection was lost, and the history shows the transaction committed. */
  | { readonly kind: 'lost-after-commit'; readonly error: unknown }
  /** The connection was lost, and whether the transaction committed cannot be told yet. */
  | { readonly kind: 'lost-in-doubt'; readonly error: unknown }
  | { readonly kind: 'lost-rolled-back'; readonly error: unknown }
  /** A history write, or the lock check before the COMMIT, failed: nothing committed. */
  | { readonly kind: 'history-failed'; readonly error: unknown }
  /** A table turned out not to roll back: nothing ran. */
  | { readonly kind: 'not-transactional' }
  /** Another file's writes sent with it failed: nothing ran; it is to be sent again without them. */
  | { readonly kind: 'alone' }
  /** A statement or the COMMIT failed (or was killed): rolled back. */
  | { readonly kind: 'failed'; readonly error: unknown };

class SizeError extends Error {}

/** A table as `schema.name` in lower case, an unqualified one in `database`. */
function tableKey(t: TableRef, database: string): string {
  return `${t.schema ?? database}.${t.name}`.toLowerCase();
}

/** Each table once: one InnoDB check each. */
function uniqueTables(tables: readonly TableRef[], database: string): TableRef[] {
  return [...new Map(tables.map((t) => [tableKey(t, database), t])).values()];
}

/**
 * Fails its packet (a scalar subquery with two rows) unless `t` is an InnoDB table: only then does
 * its write roll back with the history write in the same transaction.
 */
function engineCheck(t: TableRef): string {
  const schema = t.schema === null ? 'DATABASE()' : stringLiteral(t.schema);
  return `SET @sqlgate_check = (SELECT 1 UNION SELECT 2 FROM DUAL WHERE NOT EXISTS (SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = ${schema} AND TABLE_NAME = ${stringLiteral(t.name)} AND ENGINE = 'InnoDB'))`;
}

async function serverAnswers(ctx: ApplyContext): Promise<boolean> {
  try {
    const c = await connect(ctx.target, { connectTimeoutMs: ctx.control.timeoutMs });
    await closeQuietly(c);
    return true;
  } catch {
    return false;
  }
}
