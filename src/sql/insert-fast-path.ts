// Large INSERT ... VALUES data migrations are too slow for the AST parser (about 1 MB/s) and
// need only their table and row count; this scan reads them at lexer speed.
import { leadingTokens, nameAt } from './tokens.js';

export interface FastInsert {
  readonly table: string;
  readonly rows: number;
}

const MODIFIERS = new Set(['LOW_PRIORITY', 'DELAYED', 'HIGH_PRIORITY', 'IGNORE', 'INTO']);

/** Table and row count of `INSERT|REPLACE [INTO] t [(cols)] VALUES (...), (...)`, or undefined. */
export function scanInsertValues(text: string): FastInsert | undefined {
  const head = leadingTokens(text.slice(0, 4096), 400);
  const first = head[0];
  if (first?.kind !== 'word' || (first.upper !== 'INSERT' && first.upper !== 'REPLACE')) return undefined;
  let at = 1;
  while (head[at]?.kind === 'word' && MODIFIERS.has((head[at] as { upper: string }).upper)) at++;
  const name = nameAt(head, at);
  if (!name) return undefined;
  // Find VALUES in the text itself, after the column list.
  const valuesMatch = /\)\s*VALUES?\s*[(R]|[`\w]\s+VALUES?\s*[(R]/i.exec(text.slice(0, 4096));
  if (!valuesMatch) return undefined;
  let i = valuesMatch.index + valuesMatch[0].length - 1;
  let rows = 0;
  let depth = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 39 || c === 34) {
      // skip a string literal
      let j = i + 1;
      while (j < text.length) {
        const d = text.charCodeAt(j);
        if (d === 92) j += 2;
        else if (d === c && text.charCodeAt(j + 1) === c) j += 2;
        else if (d === c) break;
        else j++;
      }
      if (j >= text.length) return undefined;
      i = j + 1;
      continue;
    }
    if (c === 40) {
      if (depth === 0) rows++;
      depth++;
    } else if (c === 41) {
      depth--;
      if (depth < 0) return undefined;
    } else if (depth === 0 && c !== 44 && c !== 32 && c !== 10 && c !== 13 && c !== 9) {
      // Between rows only commas and blanks (and MySQL 8's ROW keyword) may appear; anything
      // else (ON DUPLICATE KEY UPDATE, a comment) is left to the real parser.
      if (text.startsWith('ROW', i) || text.startsWith('row', i)) {
        i += 3;
        continue;
      }
      return undefined;
    }
    i++;
  }
  return depth === 0 && rows > 0 ? { table: name.name, rows } : undefined;
}
