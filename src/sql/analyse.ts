// From SQL text to per-statement facts. The AST parser is injected (it runs in a worker with a
// time budget, see src/parser/), so this module stays pure and a test can pass its own.
import { type AstDetails, NO_DETAILS } from './ast-details.js';
import { classifyByKeywords } from './classify.js';
import { detach } from './detach.js';
import { buildFacts, type ParseOutcome, type StatementFacts } from './facts.js';
import { scanInsertValues } from './insert-fast-path.js';
import { type Position, type SqlStatement, StatementSplitter, splitStatements } from './split.js';
import type { StatementType } from './statement-types.js';
import { unwrapVersionedComments } from './versioned.js';

export interface ParseRequest {
  readonly text: string;
  readonly type: StatementType;
}
export type ParseReply =
  | { readonly ok: true; readonly details: AstDetails }
  | { readonly ok: false; readonly reason: 'syntax' | 'timeout'; readonly message: string };

export interface StatementParser {
  /** Parse statements, replying in the same order. */
  parse(requests: readonly ParseRequest[]): Promise<ParseReply[]>;
  /** Get ready to parse (start a worker) while the caller does other work. */
  warm?(): void;
}

export interface AnalysedStatement {
  /** Index of the chunk the client sends; statements of one custom-delimiter chunk share it. */
  readonly index: number;
  readonly start: Position;
  readonly end: Position;
  /** The statement's first characters, whitespace collapsed, for reports. */
  readonly preview: string;
  readonly bytes: number;
  readonly facts: StatementFacts;
}

export interface AnalyseOptions {
  /** Statements larger than this are not given to the AST parser (fail closed). */
  readonly maxStatementBytes?: number;
  /** INSERT ... VALUES statements larger than this take the lexer fast path. */
  readonly fastPathBytes?: number;
  /** Statements per parser round trip. */
  readonly batchSize?: number;
}

export const DEFAULT_MAX_STATEMENT_BYTES = 1 << 20;
const DEFAULT_FAST_PATH_BYTES = 16 << 10;

export function previewOf(text: string, length = 100): string {
  const flat = text
    .slice(0, length * 4)
    .replace(/\s+/g, ' ')
    .trim();
  return detach(flat.length > length ? `${flat.slice(0, length - 1)}…` : flat);
}

/** A statement waiting for the parser, or already decided without it (then no text is kept). */
type Pending =
  | {
      readonly statement: Omit<AnalysedStatement, 'facts'>;
      readonly text: string;
      readonly type: ReturnType<typeof classifyByKeywords>;
    }
  | { readonly statement: Omit<AnalysedStatement, 'facts'>; readonly facts: StatementFacts };

/**
 * Analyse a script given whole or as chunks. Memory holds the statement being split and one
 * batch of statements waiting for the parser, never the whole file.
 */
export async function analyseSql(
  input: string | AsyncIterable<string> | Iterable<string>,
  parser: StatementParser,
  options: AnalyseOptions = {},
): Promise<AnalysedStatement[]> {
  const maxBytes = options.maxStatementBytes ?? DEFAULT_MAX_STATEMENT_BYTES;
  const fastPathBytes = options.fastPathBytes ?? DEFAULT_FAST_PATH_BYTES;
  const batchSize = options.batchSize ?? 128;
  const results: AnalysedStatement[] = [];
  let batch: Pending[] = [];
  // Batches handed to the parser and not yet settled, oldest first; a small window keeps every
  // worker busy while the main thread splits ahead, and bounds memory.
  const window: Promise<AnalysedStatement[]>[] = [];
  const WINDOW = 4;

  const settle = async (items: Pending[]): Promise<AnalysedStatement[]> => {
    const requests = items.flatMap((p) => ('text' in p ? [{ text: p.text, type: p.type.type }] : []));
    const replies = requests.length > 0 ? await parser.parse(requests) : [];
    let r = 0;
    return items.map((p) => {
      if ('facts' in p) return { ...p.statement, facts: p.facts };
      const reply = replies[r++] as ParseReply;
      const facts = reply.ok
        ? buildFacts(p.text, p.type, reply.details, { ok: true, via: 'ast' })
        : buildFacts(p.text, p.type, undefined, { ok: false, reason: reply.reason, message: reply.message });
      return { ...p.statement, facts };
    });
  };
  const flush = async () => {
    if (batch.length > 0) window.push(settle(batch));
    batch = [];
    batchBytes = 0;
    while (window.length >= WINDOW) results.push(...(await (window.shift() as Promise<AnalysedStatement[]>)));
  };
  let batchBytes = 0;
  const accept = async (chunk: SqlStatement) => {
    for (const s of statementsOf(chunk)) await acceptOne(s);
  };
  const acceptOne = async (s: SqlStatement) => {
    const pending = prepare(s, maxBytes, fastPathBytes);
    batch.push(pending);
    if ('text' in pending) batchBytes += pending.text.length;
    // Flush on count or on size, so a file of large statements does not pile up in memory.
    if (batch.length >= batchSize || batchBytes > 4 << 20) await flush();
  };

  const splitter = new StatementSplitter();
  if (typeof input === 'string') {
    for (const s of splitter.push(input)) await accept(s);
  } else {
    for await (const chunk of input as AsyncIterable<string>)
      for (const s of splitter.push(chunk)) await accept(s);
  }
  for (const s of splitter.end()) await accept(s);
  await flush();
  for (const pending of window) results.push(...(await pending));
  return results;
}

/**
 * The statements the server runs for one chunk. Under a custom delimiter the client sends the
 * chunk whole and the server runs every `;`-separated statement in it (`CREATE INDEX ...; DROP
 * TABLE t$$`), so each is analysed at its own position; a compound body stays one statement.
 */
export function statementsOf(chunk: SqlStatement): SqlStatement[] {
  if (chunk.delimiter === ';' || !chunk.text.includes(';')) return [chunk];
  const parts = splitStatements(chunk.text, { clientCommands: false });
  if (parts.length === 1 && parts[0]?.text === chunk.text) return [chunk];
  const at = (p: Position): Position =>
    p.line === 1
      ? { line: chunk.start.line, column: chunk.start.column + p.column - 1 }
      : { line: chunk.start.line + p.line - 1, column: p.column };
  return parts.map((p) => ({ ...p, index: chunk.index, start: at(p.start), end: at(p.end) }));
}

/**
 * Analyse several scripts at once. Their statements reach the parser together, in full batches,
 * instead of one round trip per file: a change of 300 three-statement files is parsed like one
 * 900-statement file.
 */
export function analyseScripts(
  texts: readonly string[],
  parser: StatementParser,
  options: AnalyseOptions = {},
): Promise<AnalysedStatement[][]> {
  return Promise.all(texts.map((text) => analyseSql(text, parser, options)));
}

function prepare(s: SqlStatement, maxBytes: number, fastPathBytes: number): Pending {
  const keywords = classifyByKeywords(s.text.slice(0, 8192));
  const statement = {
    index: s.index,
    start: s.start,
    end: s.end,
    preview: previewOf(s.text),
    bytes: s.text.length,
  };
  const decided = (details: AstDetails | undefined, parse: ParseOutcome): Pending => ({
    statement,
    facts: buildFacts(s.text.slice(0, 8192), keywords, details, parse),
  });
  if (s.text.length > fastPathBytes && (keywords.type === 'INSERT' || keywords.type === 'REPLACE')) {
    const fast = scanInsertValues(s.text);
    if (fast) {
      return decided(
        { ...NO_DETAILS, tables: [fast.table], insertRows: fast.rows },
        { ok: true, via: 'fast-path' },
      );
    }
  }
  if (keywords.type === 'SET' && isCharsetStatement(s.text)) {
    // node-sql-parser rejects SET NAMES, which every mysqldump file starts with; its grammar is
    // small and exact, so it is recognised here rather than failing closed on every dump.
    return decided(NO_DETAILS, { ok: true, via: 'grammar' });
  }
  if (s.text.length > maxBytes) {
    const message = `statement of ${s.text.length} bytes exceeds the analysis limit of ${maxBytes} bytes`;
    return decided(undefined, { ok: false, reason: 'too-large', message });
  }
  return { statement, text: s.text, type: keywords };
}

const CHARSET_STATEMENT =
  /^SET\s+(NAMES|CHARACTER\s+SET|CHARSET)\s+('?)[A-Za-z0-9_]+\2(\s+COLLATE\s+('?)[A-Za-z0-9_]+\4)?$/i;

/** `SET NAMES utf8mb4 [COLLATE x]` and `SET CHARACTER SET x`, exactly. */
export function isCharsetStatement(text: string): boolean {
  return CHARSET_STATEMENT.test(unwrapVersionedComments(text));
}
