// Which rows an UPDATE or DELETE will touch, as a SELECT can find them: the single table it
// changes and the text of its WHERE clause (with any ORDER BY / LIMIT after it). Read from the
// statement's text at deploy time, where no parser runs. Pure. Anything this cannot read with
// certainty (several tables, a JOIN, RETURNING, no WHERE, versioned comments) is not a target:
// it runs without a backup, and rolling it back needs a down file.

export interface DmlTarget {
  readonly kind: 'UPDATE' | 'DELETE';
  /** The table as written (possibly `db`.`t`), for CREATE TABLE ... LIKE and the restore. */
  readonly table: string;
  /** The unqualified table name, unquoted, for the backup table's name. */
  readonly tableName: string;
  /**
   * What follows FROM in the SELECT: the table with its alias, if any, and any comment written
   * there (so whatever follows it must start on a new line).
   */
  readonly from: string;
  /** Everything after WHERE (it may end in a `--` comment: append nothing on its line). */
  readonly where: string;
}

interface Word {
  readonly upper: string;
  readonly start: number;
  readonly end: number;
}

/** Words outside parentheses, strings, quoted names and comments; `,` counts as a word. */
function topLevelWords(text: string): Word[] | undefined {
  const words: Word[] = [];
  let depth = 0;
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    const next = text[i + 1];
    if (c === '#' || (c === '-' && next === '-' && /\s|$/.test(text[i + 2] ?? ''))) {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? text.length : nl + 1;
    } else if (c === '/' && next === '*') {
      // MySQL runs the inside of /*! ... */: code this reader would not see.
      if (text[i + 2] === '!' || (text[i + 2] === 'M' && text[i + 3] === '!')) return undefined;
      const close = text.indexOf('*/', i + 2);
      i = close < 0 ? text.length : close + 2;
    } else if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      while (j < text.length) {
        if (text[j] === '\\' && c !== '`') j += 2;
        else if (text[j] === c && text[j + 1] === c) j += 2;
        else if (text[j] === c) break;
        else j++;
      }
      i = j + 1;
    } else if (c === '(') {
      depth++;
      i++;
    } else if (c === ')') {
      depth--;
      i++;
    } else if (/[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < text.length && /[A-Za-z0-9_$]/.test(text[j] as string)) j++;
      if (depth === 0) words.push({ upper: text.slice(i, j).toUpperCase(), start: i, end: j });
      i = j;
    } else {
      if (c === ',' && depth === 0) words.push({ upper: ',', start: i, end: i + 1 });
      i++;
    }
  }
  return words;
}

const NAME = /^\s*((?:`(?:[^`]|``)+`|[A-Za-z0-9_$]+)(?:\s*\.\s*(?:`(?:[^`]|``)+`|[A-Za-z0-9_$]+))?)/;

function unquote(part: string): string {
  return part.startsWith('`') ? part.slice(1, -1).replace(/``/g, '`') : part;
}

export function dmlTarget(statement: string): DmlTarget | undefined {
  const words = topLevelWords(statement);
  if (!words || words.length === 0) return undefined;
  const [first] = words;
  const kind = first?.upper;
  if (kind !== 'UPDATE' && kind !== 'DELETE') return undefined;
  const upper = words.map((w) => w.upper);
  if (upper.includes('RETURNING')) return undefined;
  let k = 1;
  const modifiers = kind === 'UPDATE' ? ['LOW_PRIORITY', 'IGNORE'] : ['LOW_PRIORITY', 'QUICK', 'IGNORE'];
  while (k < words.length && modifiers.includes(words[k]?.upper ?? '')) k++;
  let refStart: number;
  if (kind === 'DELETE') {
    if (words[k]?.upper !== 'FROM') return undefined; // DELETE t1 FROM ...: several tables
    refStart = (words[k] as Word).end;
  } else refStart = (words[k - 1] as Word).end;
  const refEndWord = kind === 'UPDATE' ? words.find((w, i) => i >= k && w.upper === 'SET') : undefined;
  const where = words.find((w, i) => i >= k && w.upper === 'WHERE');
  if (!where || (kind === 'UPDATE' && (!refEndWord || refEndWord.start > where.start))) return undefined;
  const refEnd = (refEndWord ?? where).start;
  // Several tables, or a join: not one table whose rows a WHERE alone picks.
  if (words.some((w) => w.start >= refStart && w.end <= refEnd && [',', 'JOIN', 'USING'].includes(w.upper)))
    return undefined;
  const from = statement.slice(refStart, refEnd).trim();
  const name = NAME.exec(from);
  if (!from || !name) return undefined;
  const parts = (name[1] as string).match(/`(?:[^`]|``)+`|[A-Za-z0-9_$]+/g) ?? [];
  const table = parts.join('.');
  return {
    kind,
    table,
    tableName: unquote(parts.at(-1) ?? table),
    from,
    where: statement.slice(where.end).trim(),
  };
}
