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
  private compound = false;
  private depth = 0;
  private pendingEnd = false;

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
    };
    this.startAt = -1;
    this.lastSignificant = -1;
    this.words = [];
    this.compound = false;
    this.depth = 0;
    this.pendingEnd = false;
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
      if (this.startAt < 0 && (c === 68 || c === 100)) {
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
        if (buf.charCodeAt(this.i + 2) === 33) {
          // `/*! ... */` is executed by MySQL: its content is code, so lex it as code.
          this.markTo(this.i + 3);
          this.moveTo(this.i + 3);
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
        else if (this.pendingEnd) this.resolveEnd('');
        this.markTo(j);
        this.moveTo(j);
        continue;
      }
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
    if (this.pendingEnd) {
      // The word after END belongs to it: END IF, END CASE, END label.
      this.resolveEnd(word);
      return;
    }
    if (this.words.length < 8) {
      this.words.push(word);
      if (this.words[0] === 'CREATE' && COMPOUND_OBJECTS.has(word)) this.compound = true;
    }
    if (!this.compound) return;
    if (word === 'BEGIN' || word === 'CASE') this.depth++;
    else if (word === 'END') this.pendingEnd = true;
  }

  /** An END closes a BEGIN or CASE block unless it is END IF / LOOP / WHILE / REPEAT. */
  private resolveEnd(next: string | undefined): void {
    this.pendingEnd = false;
    if (next === undefined || !NON_BLOCK_ENDS.has(next)) this.depth--;
  }
}

/** Split a whole script. */
export function splitStatements(text: string): SqlStatement[] {
  const splitter = new StatementSplitter();
  return [...splitter.push(text), ...splitter.end()];
}
