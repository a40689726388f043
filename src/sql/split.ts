// A streaming MySQL script splitter. It is a lexer over characters (not regexes over the whole
// file), so a 50 MB data migration is split with memory bounded by its largest statement, and
// every statement keeps its exact start and end line and column.

export interface Position {
  /** 1-based line. */
  readonly line: number;
  /** 1-based column, counted in UTF-16 code units like editors and GitHub annotations. */
  readonly column: number;
}

export interface SqlStatement {
  /** 0-based index in its file. */
  readonly index: number;
  /** The statement as MySQL will receive it: no delimiter, no leading comments. */
  readonly text: string;
  readonly start: Position;
  readonly end: Position;
  /** The delimiter that ended it: under a custom one (`DELIMITER $$`) the client sends the whole
   * chunk, `;`s included, and the server runs every statement in it. */
  readonly delimiter: string;
}

export interface SplitterOptions {
  /** Follow `DELIMITER x` client commands (default). Off when re-splitting one chunk. */
  readonly clientCommands?: boolean;
}

enum State {
  Code,
  SingleQuote,
  DoubleQuote,
  Backtick,
  LineComment,
  BlockComment,
}

const NEWLINE = 10;
const COMPOUND_OBJECTS = new Set(['PROCEDURE', 'FUNCTION', 'TRIGGER', 'EVENT']);
const NON_BLOCK_ENDS = new Set(['IF', 'LOOP', 'WHILE', 'REPEAT']);
// Tokens after which BEGIN, CASE or END stand where a statement of a compound body starts.
const STATEMENT_STARTS = new Set([';', ':', 'BEGIN', 'THEN', 'ELSE', 'DO', 'LOOP', 'REPEAT']);
// Tokens after which a BEGIN in the routine's header is a name, not the body.
const NAME_POSITIONS = new Set(['PROCEDURE', 'FUNCTION', 'TRIGGER', 'EVENT', 'ON', '.', ',', '(', '=']);

/**
 * Whether the words of a statement open a compound statement: `CREATE [OR REPLACE]
 * [DEFINER = account] [AGGREGATE] PROCEDURE|FUNCTION|TRIGGER|EVENT`. Undefined: not decided yet.
 * Only this grammar counts: a column named `event` or `begin` must not swallow the statements
 * after its CREATE TABLE.
 */
export function opensCompound(words: readonly string[]): boolean | undefined {
  if (words.length === 0) return undefined;
  if (words[0] !== 'CREATE') return false;
  let k = 1;
  if (words[k] === 'OR') {
    if (words[k + 1] === undefined) return undefined;
    if (words[k + 1] !== 'REPLACE') return false;
    k += 2;
  }
  if (words[k] === 'DEFINER') {
    // The account's unquoted parts (root, localhost, CURRENT_USER) are words; quoted ones are not.
    k++;
    let n = 0;
    while (
      n < 3 &&
      words[k] !== undefined &&
      !COMPOUND_OBJECTS.has(words[k] as string) &&
      words[k] !== 'AGGREGATE'
    ) {
      k++;
      n++;
    }
    if (n === 3) return false;
  }
  if (words[k] === 'AGGREGATE') k++;
  const object = words[k];
  return object === undefined ? undefined : COMPOUND_OBJECTS.has(object);
}
// Enough characters to decide any two-character token, a keyword or a custom delimiter.
const LOOKAHEAD = 64;

function isWordChar(c: number): boolean {
  return (
    (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36 || c > 127
  );
}
function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11;
}

export class StatementSplitter {
  private buf = '';
  /** Offset in `buf` up to which characters have been lexed. */
  private i = 0;
  private line = 1;
  private column = 1;
  private state = State.Code;
  private inVersionedComment = false;
  private delimiter = ';';
  private index = 0;
  // The statement being read: where it starts and ends (its last significant character).
  private startAt = -1;
  private startLine = 1;
  private startColumn = 1;
  private lastSignificant = -1;
  private lastLine = 1;
  private lastColumn = 1;
  private words: string[] = [];
  private compound: boolean | undefined = undefined;
  private depth = 0;
  /** Open CASE expressions (not statements) of a compound body: their END closes no block. */
  private caseExpressions = 0;
  private pendingEnd = false;
  /** The last significant token: an upper-case word, a punctuation character, or '' for others. */
  private previous = '';
  private readonly clientCommands: boolean;

  constructor(options: SplitterOptions = {}) {
    this.clientCommands = options.clientCommands ?? true;
  }

  /** Feed more text; returns the statements completed by it. */
  push(chunk: string): SqlStatement[] {
    this.buf += chunk;
    return this.lex(false);
  }

  /** No more text: returns the last statement, if any, even without a closing delimiter. */
  end(): SqlStatement[] {
    const out = this.lex(true);
    if (this.startAt >= 0) {
      // An unterminated string or comment runs to the end of the file; keep all of it.
      if (this.state !== State.Code && this.state !== State.LineComment) {
        this.lastSignificant = this.buf.length - 1;
        this.lastLine = this.line;
        this.lastColumn = Math.max(1, this.column - 1);
      }
      const last = this.emit(this.lastSignificant + 1);
      if (last) out.push(last);
    }
    return out;
  }

  /** Move to offset `to`, keeping line and column right. Linear in the distance moved. */
  private moveTo(to: number): void {
    const buf = this.buf;
    for (let k = this.i; k < to; k++) {
      if (buf.charCodeAt(k) === NEWLINE) {
        this.line++;
        this.column = 1;
      } else this.column++;
    }
    this.i = to;
  }

  /** The characters from `i` up to `to` (exclusive, on the current line) belong to the statement. */
  private markTo(to: number): void {
    if (this.startAt < 0) {
      this.startAt = this.i;
      this.startLine = this.line;
      this.startColumn = this.column;
    }
    this.lastSignificant = to - 1;
    this.lastLine = this.line;
    this.lastColumn = this.column + (to - this.i) - 1;
  }

  private emit(endExclusive: number): SqlStatement | undefined {
    if (this.startAt < 0) return undefined;
    const text = this.buf.slice(this.startAt, endExclusive).trimEnd();
    const statement: SqlStatement = {
      index: this.index,
      text,
      start: { line: this.startLine, column: this.startColumn },
      end: { line: this.lastLine, column: this.lastColumn },
      delimiter: this.delimiter,
    };
    this.startAt = -1;
    this.lastSignificant = -1;
    this.words = [];
    this.compound = undefined;
    this.depth = 0;
    this.caseExpressions = 0;
    this.pendingEnd = false;
    this.previous = '';
    if (text.length === 0) return undefined;
    this.index++;
    return statement;
  }

  /** Drop consumed text so memory holds only the statement being read. */
  private compact(): void {
    const keepFrom = this.startAt >= 0 ? this.startAt : this.i;
    if (keepFrom > 1 << 16 || keepFrom === this.buf.length) {
      this.buf = this.buf.slice(keepFrom);
      this.i -= keepFrom;
      if (this.startAt >= 0) this.startAt -= keepFrom;
      if (this.lastSignificant >= 0) this.lastSignificant -= keepFrom;
    }
  }

  private lex(final: boolean): SqlStatement[] {
    const out: SqlStatement[] = [];
    const buf = this.buf;
    const limit = final ? buf.length : buf.length - LOOKAHEAD;
    while (this.i < limit) {
      const c = buf.charCodeAt(this.i);
      if (
        this.state === State.SingleQuote ||
        this.state === State.DoubleQuote ||
        this.state === State.Backtick
      ) {
        if (!this.lexQuoted(final)) break;
        continue;
      }
      if (this.state === State.LineComment) {
        const nl = buf.indexOf('\n', this.i);
        if (nl < 0 && !final) {
          this.moveTo(buf.length);
          break;
        }
        this.moveTo(nl < 0 ? buf.length : nl + 1);
        this.state = State.Code;
        continue;
      }
      if (this.state === State.BlockComment) {
        const close = buf.indexOf('*/', this.i);
        if (close < 0) {
          // Keep the last character: it may be the `*` of a `*/` split across chunks.
          this.moveTo(final ? buf.length : Math.max(this.i, buf.length - 1));
          break;
        }
        this.moveTo(close + 2);
        this.state = State.Code;
        continue;
      }

      // DELIMITER is a client command, only recognised where a statement would start.
      if (this.clientCommands && this.startAt < 0 && (c === 68 || c === 100)) {
        const outcome = this.tryDelimiterCommand(final);
        if (outcome === 'wait') break;
        if (outcome === 'done') continue;
      }
      if (this.atDelimiter(c)) {
        if (this.pendingEnd) this.resolveEnd(undefined);
        if (this.delimiter !== ';' || this.depth <= 0) {
          const statement = this.emit(this.lastSignificant + 1);
          if (statement) out.push(statement);
          this.moveTo(this.i + this.delimiter.length);
          continue;
        }
        this.previous = ';';
      }
      if (isSpace(c)) {
        this.moveTo(this.i + 1);
        continue;
      }
      if (c === 35 || (c === 45 && buf.charCodeAt(this.i + 1) === 45 && this.spaceOrEnd(this.i + 2))) {
        this.state = State.LineComment;
        continue;
      }
      if (c === 47 && buf.charCodeAt(this.i + 1) === 42) {
        const opener = executableCommentOpener(buf, this.i);
        if (opener > 0) {
          // `/*! ... */` is executed by MySQL and `/*M! ... */` by MariaDB: their content is code,
          // so lex it as code (the version number after the `!` belongs to the opener).
          this.markTo(this.i + opener);
          this.moveTo(this.i + opener);
          this.inVersionedComment = true;
        } else {
          this.state = State.BlockComment;
          this.moveTo(this.i + 2);
        }
        continue;
      }
      if (c === 42 && this.inVersionedComment && buf.charCodeAt(this.i + 1) === 47) {
        this.markTo(this.i + 2);
        this.moveTo(this.i + 2);
        this.inVersionedComment = false;
        continue;
      }
      if (c === 39 || c === 34 || c === 96) {
        if (this.pendingEnd) this.resolveEnd('');
        this.previous = '';
        this.state = c === 39 ? State.SingleQuote : c === 34 ? State.DoubleQuote : State.Backtick;
        this.markTo(this.i + 1);
        this.moveTo(this.i + 1);
        continue;
      }
      if (isWordChar(c)) {
        let j = this.i + 1;
        const custom = this.delimiter !== ';';
        // A custom delimiter ends a word too: `END$$` is END followed by the delimiter `$$`.
        while (
          j < buf.length &&
          isWordChar(buf.charCodeAt(j)) &&
          !(custom && buf.startsWith(this.delimiter, j))
        )
          j++;
        if (j === buf.length && !final) break; // the word may continue in the next chunk
        const length = j - this.i;
        if (length <= 12) this.onWord(buf.slice(this.i, j).toUpperCase());
        else {
          if (this.pendingEnd) this.resolveEnd('');
          this.previous = '';
        }
        this.markTo(j);
        this.moveTo(j);
        continue;
      }
      this.previous = buf[this.i] as string;
      this.markTo(this.i + 1);
      this.moveTo(this.i + 1);
    }
    this.compact();
    return out;
  }

  /** Inside a quoted string or identifier; returns false to wait for more text. */
  private lexQuoted(final: boolean): boolean {
    const buf = this.buf;
    const quote = this.state === State.SingleQuote ? 39 : this.state === State.DoubleQuote ? 34 : 96;
    const escapes = quote !== 96;
    let j = this.i;
    while (j < buf.length) {
      const ch = buf.charCodeAt(j);
      if (ch === 92 && escapes) {
        if (j + 1 >= buf.length && !final) break; // the escaped character is in the next chunk
        j += 2;
      } else if (ch === quote) {
        if (j + 1 >= buf.length && !final) break; // a doubled quote may follow in the next chunk
        if (buf.charCodeAt(j + 1) === quote) {
          j += 2;
          continue;
        }
        this.moveTo(j);
        this.markTo(j + 1);
        this.moveTo(j + 1);
        this.state = State.Code;
        return true;
      } else j++;
    }
    this.moveTo(Math.min(j, buf.length));
    return false;
  }

  private spaceOrEnd(at: number): boolean {
    return at >= this.buf.length || isSpace(this.buf.charCodeAt(at));
  }

  private atDelimiter(c: number): boolean {
    if (this.delimiter === ';') return c === 59;
    return this.buf.startsWith(this.delimiter, this.i);
  }

  private tryDelimiterCommand(final: boolean): 'no' | 'done' | 'wait' {
    if (!/^delimiter[ \t]/i.test(this.buf.slice(this.i, this.i + 10))) return 'no';
    const eol = this.buf.indexOf('\n', this.i);
    if (eol < 0 && !final) return 'wait';
    const lineEnd = eol < 0 ? this.buf.length : eol;
    const value = this.buf
      .slice(this.i + 10, lineEnd)
      .trim()
      .split(/\s+/)[0];
    if (!value) return 'no';
    this.delimiter = value;
    this.moveTo(lineEnd);
    return 'done';
  }

  private onWord(word: string): void {
    const previous = this.previous;
    this.previous = word;
    if (this.pendingEnd) {
      // The word after END belongs to it: END IF, END CASE, END label.
      this.resolveEnd(word);
      return;
    }
    if (this.words.length < 8) {
      this.words.push(word);
      if (this.compound === undefined) this.compound = opensCompound(this.words);
    }
    if (!this.compound) return;
    // BEGIN, CASE and END open or close blocks only where a statement of the body starts;
    // elsewhere they are names (`SELECT begin, end FROM t`) or a CASE expression.
    const atStatement = STATEMENT_STARTS.has(previous);
    if (word === 'BEGIN') {
      if (atStatement || (this.depth === 0 && !NAME_POSITIONS.has(previous))) this.depth++;
    } else if (word === 'CASE') {
      if (atStatement) this.depth++;
      else this.caseExpressions++;
    } else if (word === 'END') {
      if (atStatement) this.pendingEnd = true;
      else if (this.caseExpressions > 0) this.caseExpressions--;
    }
  }

  /** An END closes a BEGIN or CASE block unless it is END IF / LOOP / WHILE / REPEAT. */
  private resolveEnd(next: string | undefined): void {
    this.pendingEnd = false;
    if (next === undefined || !NON_BLOCK_ENDS.has(next)) this.depth--;
  }
}

/** Length of a `/*!NNNNN` or `/*M!NNNNNN` opener at `at`, or 0 when there is none. */
function executableCommentOpener(buf: string, at: number): number {
  let k = at + 2;
  if (buf.charCodeAt(k) === 77 && buf.charCodeAt(k + 1) === 33) k += 2;
  else if (buf.charCodeAt(k) === 33) k += 1;
  else return 0;
  while (k < buf.length && buf.charCodeAt(k) >= 48 && buf.charCodeAt(k) <= 57) k++;
  return k - at;
}

/** Split a whole script. */
export function splitStatements(text: string, options: SplitterOptions = {}): SqlStatement[] {
  const splitter = new StatementSplitter(options);
  return [...splitter.push(text), ...splitter.end()];
}
