import {
  type Document,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
  Scalar,
  visit,
} from 'yaml';
import { Diagnostic } from '../errors.js';

/** A parsed YAML file that still knows where every value came from. */
export interface YamlSource {
  readonly file: string;
  readonly doc: Document;
  readonly lines: LineCounter;
}

export type PathSegment = string | number;

export interface ParsedYaml {
  readonly source: YamlSource;
  readonly value: unknown;
  readonly errors: readonly Diagnostic[];
}

export function parseYaml(file: string, text: string): ParsedYaml {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const source: YamlSource = { file, doc, lines };
  const errors = doc.errors.map((e) => {
    const offset =
      e.code === 'MISSING_CHAR' && /quote/i.test(e.message) ? openingQuoteOf(doc, e.pos[0]) : e.pos[0];
    const { line, col } = lines.linePos(offset);
    return new Diagnostic(file, line, col, describeYamlError(e.code, e.message));
  });
  return { source, value: errors.length > 0 ? undefined : doc.toJS(), errors };
}

function describeYamlError(code: string, message: string): string {
  switch (code) {
    case 'TAB_AS_INDENT':
      return 'malformed YAML: a tab is used for indentation; indent with spaces';
    case 'DUPLICATE_KEY':
      return 'malformed YAML: this key appears twice in the same mapping';
    case 'MISSING_CHAR':
      return /quote/i.test(message)
        ? 'malformed YAML: this quoted string is never closed; add the closing quote'
        : `malformed YAML: ${message.toLowerCase()}`;
    default:
      return `malformed YAML: ${message.charAt(0).toLowerCase()}${message.slice(1)}`;
  }
}

// The yaml package reports an unclosed quote at the end of the file, where the reader would
// never look; point at the quote that opened the string instead.
function openingQuoteOf(doc: Document, errorOffset: number): number {
  let best = errorOffset;
  visit(doc, {
    Scalar(_key, node) {
      const range = node.range;
      const quoted = node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE;
      if (quoted && range && range[0] < errorOffset && range[1] >= errorOffset - 1) best = range[0];
    },
  });
  return best;
}

/**
 * Where the value at `path` is written. With `key: true`, the key of the last segment instead
 * (an unknown key is best shown at the key, not at its value). Falls back to the nearest
 * ancestor that exists, so a missing key points at the mapping that lacks it.
 */
export function locate(
  source: YamlSource,
  path: readonly PathSegment[],
  options: { key?: boolean } = {},
): Diagnostic {
  let node: unknown = source.doc.contents;
  let offset = rangeStart(node) ?? 0;
  for (const segment of path) {
    const next = child(node, segment);
    if (!next) break;
    node = next.value;
    const start =
      options.key && segment === path[path.length - 1] ? rangeStart(next.key) : rangeStart(next.value);
    offset = start ?? rangeStart(next.key) ?? offset;
  }
  const { line, col } = source.lines.linePos(offset);
  return new Diagnostic(source.file, line, col, '');
}

export function at(
  source: YamlSource,
  path: readonly PathSegment[],
  message: string,
  options: { key?: boolean } = {},
): Diagnostic {
  const where = locate(source, path, options);
  return new Diagnostic(where.file, where.line, where.column, message);
}

function child(node: unknown, segment: PathSegment): { key: unknown; value: unknown } | undefined {
  if (isMap(node)) {
    const pair = node.items.find(
      (p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment),
    );
    return pair ? { key: pair.key, value: pair.value } : undefined;
  }
  if (isSeq(node) && typeof segment === 'number') {
    const item = node.items[segment];
    return item === undefined ? undefined : { key: undefined, value: item };
  }
  return undefined;
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as Node | null | undefined)?.range;
  return range ? range[0] : undefined;
}
