/**
 * A copy of a short string that no longer points into the text it was cut from. V8 keeps a
 * slice's whole parent alive, so a 100-character preview or a table name could otherwise pin a
 * 10 MB statement, and memory would grow with the file instead of its largest statement.
 */
export function detach(text: string): string {
  return ` ${text}`.slice(1);
}
