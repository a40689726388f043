// The first tokens of a statement, for classifying it by its leading keywords. Comments are
// skipped, and the content of `/*!NNNNN ... */` versioned comments counts as code because MySQL
// executes it (mysqldump writes `/*!50003 CREATE*/ /*!50003 TRIGGER ...*/`); so does MariaDB's
// `/*M!NNNNNN ... */`.

export type Token =
  | { readonly kind: 'word'; readonly value: string; readonly upper: string }
  | { readonly kind: 'quoted'; readonly value: string; readonly quote: '`' | "'" | '"' }
  | { readonly kind: 'punct'; readonly value: string }
  | { readonly kind: 'number'; readonly value: string };

function isWordStartCode(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36 || c >= 128;
}
function isDigitCode(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isSpaceCode(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}
function isWordStart(c: string): boolean {
  return isWordStartCode(c.charCodeAt(0));
}

/** Up to `max` tokens from the start of `text`. */
export function leadingTokens(text: string, max = 40): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length && tokens.length < max) {
    const c = text[i] as string;
    const next = text[i + 1];
    const code = text.charCodeAt(i);
    if (isSpaceCode(code)) {
      i++;
    } else if (c === '#' || (c === '-' && next === '-' && /\s|$/.test(text[i + 2] ?? ''))) {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? text.length : nl + 1;
    } else if (c === '/' && next === '*') {
      const executable = text[i + 2] === '!' ? 3 : text[i + 2] === 'M' && text[i + 3] === '!' ? 4 : 0;
      if (executable > 0) {
        i += executable;
        while (/[0-9]/.test(text[i] ?? '')) i++;
      } else {
        const close = text.indexOf('*/', i + 2);
        i = close < 0 ? text.length : close + 2;
      }
    } else if (c === '*' && next === '/') {
      i += 2; // the end of a versioned comment
    } else if (c === '`' || c === "'" || c === '"') {
      let j = i + 1;
      let value = '';
      while (j < text.length) {
        const d = text[j] as string;
        if (d === '\\' && c !== '`') {
          value += text[j + 1] ?? '';
          j += 2;
        } else if (d === c && text[j + 1] === c) {
          value += c;
          j += 2;
        } else if (d === c) {
          j++;
          break;
        } else {
          value += d;
          j++;
        }
      }
      tokens.push({ kind: 'quoted', value, quote: c });
      i = j;
    } else if (isDigitCode(code)) {
      let j = i + 1;
      while (
        j < text.length &&
        (isDigitCode(text.charCodeAt(j)) || text[j] === '.' || text[j] === 'e' || text[j] === 'E')
      )
        j++;
      tokens.push({ kind: 'number', value: text.slice(i, j) });
      i = j;
    } else if (isWordStart(c)) {
      let j = i + 1;
      while (j < text.length && (isWordStartCode(text.charCodeAt(j)) || isDigitCode(text.charCodeAt(j)))) j++;
      const value = text.slice(i, j);
      tokens.push({ kind: 'word', value, upper: value.toUpperCase() });
      i = j;
    } else {
      tokens.push({ kind: 'punct', value: c });
      i++;
    }
  }
  return tokens;
}

export function upperWords(tokens: readonly Token[]): string[] {
  return tokens.map((t) => (t.kind === 'word' ? t.upper : t.kind === 'punct' ? t.value : ''));
}

/**
 * The qualified name starting at token `at`: `db`.`t`, db.t or t. Returns the name and the index
 * after it, or undefined when no name is there.
 */
export function nameAt(tokens: readonly Token[], at: number): { name: string; next: number } | undefined {
  const part = (t: Token | undefined) =>
    t && (t.kind === 'word' || (t.kind === 'quoted' && t.quote === '`')) ? t.value : undefined;
  const first = part(tokens[at]);
  if (first === undefined) return undefined;
  const dot = tokens[at + 1];
  if (dot?.kind === 'punct' && dot.value === '.') {
    const second = part(tokens[at + 2]);
    if (second !== undefined) return { name: `${first}.${second}`, next: at + 3 };
  }
  return { name: first, next: at + 1 };
}
