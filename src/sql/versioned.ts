// MySQL executes the content of `/*!NNNNN ... */` comments and MariaDB that of `/*M!NNNNNN ... */`;
// node-sql-parser returns an empty AST for them. Unwrapping exposes the code so the statement is
// analysed as the server will run it.
export function unwrapVersionedComments(text: string): string {
  if (!text.includes('/*!') && !text.includes('/*M!')) return text;
  let out = '';
  let i = 0;
  let inVersioned = false;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      while (j < text.length) {
        if (text[j] === '\\' && c !== '`') j += 2;
        else if (text[j] === c && text[j + 1] === c) j += 2;
        else if (text[j] === c) break;
        else j++;
      }
      out += text.slice(i, j + 1);
      i = j + 1;
    } else if (
      c === '/' &&
      text[i + 1] === '*' &&
      (text[i + 2] === '!' || (text[i + 2] === 'M' && text[i + 3] === '!'))
    ) {
      let j = i + (text[i + 2] === '!' ? 3 : 4);
      while (/[0-9]/.test(text[j] ?? '')) j++;
      out += ' ';
      i = j;
      inVersioned = true;
    } else if (c === '*' && text[i + 1] === '/' && inVersioned) {
      out += ' ';
      i += 2;
      inVersioned = false;
    } else {
      out += c;
      i++;
    }
  }
  return out.trim();
}
