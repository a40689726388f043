// An online tool takes the ALTER's clauses (`ADD COLUMN c INT`), not the statement: cut the
// `ALTER [ONLINE] [IGNORE] TABLE [db.]name` head off the text, keeping the rest byte for byte.

export interface AlterClause {
  readonly schema?: string;
  readonly table: string;
  readonly clause: string;
}

const NAME = String.raw`(?:\x60((?:[^\x60]|\x60\x60)+)\x60|([A-Za-z0-9_$]+))`;
const COMMENTS = String.raw`(?:\s+|--[^\n]*(?:\n|$)|#[^\n]*(?:\n|$)|/\*(?!!)[\s\S]*?\*/)*`;
const HEAD = new RegExp(
  String.raw`^${COMMENTS}ALTER\s+(?:ONLINE\s+)?(?:IGNORE\s+)?TABLE\s+(?:IF\s+EXISTS\s+)?${NAME}(?:\s*\.\s*${NAME})?\s*`,
  'i',
);

function unquote(quoted: string | undefined, bare: string | undefined): string | undefined {
  return quoted !== undefined ? quoted.replace(/\x60\x60/g, '\x60') : bare;
}

/** The table and clauses of an ALTER TABLE, or undefined when the text is not one sqlgate can cut. */
export function alterClauseOf(text: string): AlterClause | undefined {
  const match = HEAD.exec(text);
  if (!match) return undefined;
  const first = unquote(match[1], match[2]) as string;
  const second = unquote(match[3], match[4]);
  const clause = text.slice(match[0].length).replace(/;\s*$/, '').trim();
  if (clause === '') return undefined;
  return second === undefined ? { table: first, clause } : { schema: first, table: second, clause };
}
