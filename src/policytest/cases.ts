// Policy test files (`policies/tests/*.yaml`): parsed, checked against their JSON Schema and
// resolved (SQL files read) into cases. Takes file contents and a reader, never the file system,
// so the same code reads a checkout or the base branch of a pull request through git.
import { dirname, join } from 'node:path/posix';
import { isScalar, Scalar } from 'yaml';
import type { ReviewState } from '../approval/types.js';
import { Diagnostic } from '../errors.js';
import { schemaErrors } from '../policy/schema-check.js';
import { policyTests } from '../policy/schema-validators.js';
import type { RiskLevel } from '../policy/types.js';
import { at, locate, parseYaml, type YamlSource } from '../policy/yaml-source.js';
import type { ChangeSource } from '../sql/statement-types.js';

export type ApprovalStatus = 'success' | 'pending' | 'failure';

export interface CaseReview {
  readonly login: string;
  readonly state: ReviewState;
  readonly stale: boolean;
}

export interface CaseExpectation {
  readonly level?: RiskLevel;
  readonly levels?: Readonly<Partial<Record<ChangeSource, RiskLevel>>>;
  readonly flows?: readonly string[];
  readonly rules?: readonly string[];
  readonly status?: ApprovalStatus;
  readonly waiting?: string;
  readonly notCounted?: readonly { readonly login: string; readonly reason?: string }[];
}

export interface PolicyTestCase {
  /** Where the case is written: `policies/tests/starter.yaml:12:5`. */
  readonly at: Diagnostic;
  readonly name: string;
  readonly sql: string;
  /** Where line 1 of the SQL is: a SQL file, or the line of an inline `sql:` in the test file. */
  readonly sqlAt: { readonly file: string; readonly firstLine: number };
  readonly database: string;
  readonly environments?: readonly string[];
  readonly path?: string;
  readonly author: string;
  readonly policyChange: boolean;
  readonly reviews: readonly CaseReview[];
  readonly teams: ReadonlyMap<string, readonly string[]>;
  readonly expect: CaseExpectation;
}

export interface TestFile {
  readonly path: string;
  readonly text: string;
}

/** Reads a file a case names (repository- or cwd-relative path); undefined when it does not exist. */
export type ReadFile = (path: string) => Promise<string | undefined>;

export type LoadCasesResult =
  | { readonly ok: true; readonly cases: readonly PolicyTestCase[] }
  | { readonly ok: false; readonly errors: readonly Diagnostic[] };

interface RawCase {
  name: string;
  sql?: string;
  file?: string;
  database: string;
  environments?: string | string[];
  path?: string;
  author?: string;
  policyChange?: boolean;
  reviews?: { login: string; state?: ReviewState; stale?: boolean }[];
  teams?: Record<string, string[]>;
  expect: CaseExpectation;
}

/** Parse and resolve every test file; reports every error, each at its file:line:column. */
export async function loadPolicyTests(files: readonly TestFile[], read: ReadFile): Promise<LoadCasesResult> {
  const errors: Diagnostic[] = [];
  const cases: PolicyTestCase[] = [];
  for (const file of files) {
    const parsed = parseYaml(file.path, file.text);
    if (parsed.errors.length > 0) {
      errors.push(...parsed.errors);
      continue;
    }
    if (parsed.value === null || parsed.value === undefined) {
      errors.push(new Diagnostic(file.path, 1, 1, 'the file is empty; expected a mapping with `cases:`'));
      continue;
    }
    const invalid = schemaErrors(policyTests, parsed.source, parsed.value);
    if (invalid.length > 0) {
      errors.push(...invalid);
      continue;
    }
    const raw = (parsed.value as { cases: RawCase[] }).cases;
    for (const [i, c] of raw.entries()) {
      const resolved = await resolveCase(parsed.source, c, i, read, errors);
      if (resolved) cases.push(resolved);
    }
  }
  errors.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
  return errors.length > 0 ? { ok: false, errors } : { ok: true, cases };
}

async function resolveCase(
  source: YamlSource,
  c: RawCase,
  i: number,
  read: ReadFile,
  errors: Diagnostic[],
): Promise<PolicyTestCase | undefined> {
  const where = locate(source, ['cases', i]);
  if ((c.sql === undefined) === (c.file === undefined)) {
    errors.push(
      at(
        source,
        ['cases', i],
        `case "${c.name}" needs its SQL: give either \`sql:\` (inline) or \`file:\` (a file relative to this test file)${c.sql !== undefined ? ', not both' : ''}`,
      ),
    );
    return undefined;
  }
  let sql: string;
  let sqlAt: PolicyTestCase['sqlAt'];
  if (c.file !== undefined) {
    const path = join(dirname(source.file), c.file);
    const text = await read(path);
    if (text === undefined) {
      errors.push(at(source, ['cases', i, 'file'], `SQL file not found: ${path}`));
      return undefined;
    }
    sql = text;
    sqlAt = { file: path, firstLine: 1 };
  } else {
    sql = c.sql as string;
    sqlAt = { file: source.file, firstLine: inlineFirstLine(source, i) };
  }
  const teams = new Map(
    Object.entries(c.teams ?? {}).map(([team, members]) => [team.toLowerCase(), members]),
  );
  return {
    at: new Diagnostic(where.file, where.line, where.column, ''),
    name: c.name,
    sql,
    sqlAt,
    database: c.database,
    ...(c.environments !== undefined
      ? { environments: typeof c.environments === 'string' ? [c.environments] : c.environments }
      : {}),
    ...(c.path !== undefined ? { path: c.path } : {}),
    author: c.author ?? 'author',
    policyChange: c.policyChange ?? false,
    reviews: (c.reviews ?? []).map((r) => ({
      login: r.login,
      state: r.state ?? 'APPROVED',
      stale: r.stale ?? false,
    })),
    teams,
    expect: c.expect,
  };
}

/** The test file's line that holds line 1 of an inline `sql:` (the line after `|` or `>`). */
function inlineFirstLine(source: YamlSource, i: number): number {
  const where = locate(source, ['cases', i, 'sql']);
  const node = (source.doc.getIn(['cases', i, 'sql'], true) ?? undefined) as unknown;
  const block = isScalar(node) && (node.type === Scalar.BLOCK_LITERAL || node.type === Scalar.BLOCK_FOLDED);
  return where.line + (block ? 1 : 0);
}
