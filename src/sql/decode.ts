import { Diagnostic } from '../errors.js';

const decoder = new TextDecoder('utf-8', { fatal: true });

/** SQL file bytes as text, without a BOM; binary or non-UTF-8 content is bad input. */
export function decodeSql(path: string, bytes: Uint8Array): string | Diagnostic {
  if (bytes.includes(0)) {
    return new Diagnostic(
      path,
      0,
      0,
      'unreadable SQL: the file contains NUL bytes (is it binary or UTF-16?); save it as UTF-8 text',
    );
  }
  try {
    const text = decoder.decode(bytes);
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  } catch {
    return new Diagnostic(path, 0, 0, 'unreadable SQL: the file is not valid UTF-8; save it as UTF-8 text');
  }
}
