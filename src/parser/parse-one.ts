// The part of parsing that runs inside the worker: text → AST → details, or the parser's message.
import nodeSqlParser from 'node-sql-parser/build/mysql.js';
import type { ParseReply, ParseRequest } from '../sql/analyse.js';
import { detailsFromAst } from '../sql/from-ast.js';
import { unwrapVersionedComments } from '../sql/versioned.js';

// The MySQL-only build is a fraction of the all-dialect bundle, which matters for cold start.
const parser = new nodeSqlParser.Parser();
const OPTIONS = { database: 'MySQL' };

export function parseOne(request: ParseRequest): ParseReply {
  const code = unwrapVersionedComments(request.text);
  try {
    const ast = parser.astify(code, OPTIONS);
    // `;` between statements gives one AST each (an empty one for an empty statement).
    const statements = (Array.isArray(ast) ? ast : [ast]).filter(
      (a) => !(Array.isArray(a) && a.length === 0),
    );
    if (statements.length === 0) {
      return { ok: false, reason: 'syntax', message: 'the parser found no statement in this text' };
    }
    if (statements.length > 1) {
      // The splitter gives one statement per chunk; if the parser still sees several, the server
      // would run them all and only the first would be classified: fail closed instead.
      return {
        ok: false,
        reason: 'syntax',
        message: `the parser found ${statements.length} statements here; only one could be classified`,
      };
    }
    return { ok: true, details: detailsFromAst(request.type, statements[0]) };
  } catch (error) {
    return { ok: false, reason: 'syntax', message: cleanMessage(error) };
  }
}

// The parser lists every token it could have accepted; keep the sentence short enough to read.
function cleanMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const found = /but (.*) found\.?$/.exec(message)?.[1];
  const location = (error as { location?: { start?: { line: number; column: number } } }).location?.start;
  const where = location ? ` at line ${location.line}, column ${location.column} of the statement` : '';
  if (found) return `syntax error${where}: unexpected ${found}`;
  return message.length > 200 ? `${message.slice(0, 199)}…` : message;
}
