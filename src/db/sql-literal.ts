// Literals for SQL that sqlgate sends on a connection whose session a migration may have changed.
/**
 * A value as an SQL literal that reads the same whatever the session's sql_mode or character
 * set: a migration on the work connection may have set NO_BACKSLASH_ESCAPES or ANSI_QUOTES, under
 * which an escaped quote would end the string early. Strings go as hex with their charset.
 */
export function sqlLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new Error(`internal: ${value} is not an integer`);
    return String(value);
  }
  if (typeof value === 'string') return stringLiteral(value);
  throw new Error(`internal: cannot write a ${typeof value} into the history`);
}

/**
 * Printable ASCII without a quote or a backslash reads the same under any sql_mode and client
 * character set (a migration may have run SET NAMES); anything else goes as hex.
 */
export function stringLiteral(value: string): string {
  return /[^\x20-\x7e]|['\\]/.test(value)
    ? `_utf8mb4 X'${Buffer.from(value, 'utf8').toString('hex')}'`
    : `'${value}'`;
}
