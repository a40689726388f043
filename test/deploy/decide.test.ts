// What a deploy decides from the files and the history, as a table of cases on plain rows:
// no server. The server tests (deploy.test.ts) keep what only a server can show.
import { describe, expect, it } from 'vitest';
import { statementHash } from '../../src/deploy/checksum.js';
import { type DeployDecision, decideDeploy } from '../../src/deploy/decide.js';
import type { HistoryRow, MigrationFile } from '../../src/deploy/types.js';
import { type MigrationName, parseMigrationName } from '../../src/sql/migration-name.js';

function file(name: string, statements: string[], checksum = `sha256:${name}`): MigrationFile {
  const parsed = parseMigrationName(`migrations/app/${name}`) as MigrationName;
  return {
    name: parsed,
    checksum,
    statements: statements.map((text, i) => ({ text, hash: statementHash(text), line: i + 1 })),
  };
}

function row(f: MigrationFile, fields: Partial<HistoryRow>): HistoryRow {
  const applied = fields.statementsApplied ?? f.statements.length;
  return {
    version: f.name.version,
    versionKey: f.name.parts.map(String).join('.'),
    description: f.name.description,
    file: f.name.path,
    checksum: f.checksum,
    statementsTotal: f.statements.length,
    statementsApplied: applied,
    appliedHash: '',
    statementHashes: f.statements.slice(0, applied).map((s) => s.hash),
    status: 'success',
    inflightStatement: null,
    inflightVia: null,
    error: null,
    failedStatement: null,
    appliedBy: 'test',
    gitSha: null,
    pr: null,
    risk: null,
    startedAt: '2026-01-01 00:00:00.000',
    finishedAt: null,
    executionMs: null,
    note: null,
    workConnection: null,
    ...fields,
  };
}

/** The decision in a few words: what each file gets, or the refusal. */
function summary(d: DeployDecision): unknown {
  if (!d.ok) return { refused: d.reason, markInDoubt: d.markInDoubt?.version ?? null };
  return {
    actions: d.actions.map((a) =>
      a.kind === 'skip'
        ? `skip ${a.file.name.version}`
        : `apply ${a.file.name.version} from ${a.from}${a.resume ? ' (resume)' : ''}`,
    ),
    warnings: d.warnings,
  };
}

const v1 = file('V1__create.sql', [
  'CREATE TABLE t (id INT)',
  'INSERT INTO t VALUES (1)',
  'INSERT INTO t VALUES (2)',
]);
const v2 = file('V2__more.sql', ['CREATE TABLE u (id INT)']);
const v3 = file('V3__later.sql', ['CREATE TABLE w (id INT)']);
const v1Edited = file(
  'V1__create.sql',
  ['CREATE TABLE t (id BIGINT)', 'INSERT INTO t VALUES (1)', 'INSERT INTO t VALUES (2)'],
  'sha256:edited',
);
const v1FixedTail = file(
  'V1__create.sql',
  ['CREATE TABLE t (id INT)', 'INSERT INTO t VALUES (1)', 'INSERT INTO t VALUES (3)'],
  'sha256:fixed',
);

const cases: {
  name: string;
  files: MigrationFile[];
  history: HistoryRow[];
  expected: unknown;
}[] = [
  {
    name: 'nothing applied yet: every file is applied from its first statement, in version order',
    files: [v2, v1],
    history: [],
    expected: { actions: ['apply V1 from 0', 'apply V2 from 0'], warnings: [] },
  },
  {
    name: 'applied files are skipped; a new later file is applied',
    files: [v1, v2],
    history: [row(v1, {})],
    expected: { actions: ['skip V1', 'apply V2 from 0'], warnings: [] },
  },
  {
    name: 'drift: an applied file whose checksum changed is refused, naming both checksums',
    files: [v1Edited, v2],
    history: [row(v1, {})],
    expected: {
      refused:
        'drift: migrations/app/V1__create.sql was applied with checksum sha256:V1__create.sql but the file now has sha256:edited; applied migrations must not change (add a new migration instead)',
      markInDoubt: null,
    },
  },
  {
    name: 'in doubt: a row marked in doubt is refused until repaired',
    files: [v1],
    history: [row(v1, { status: 'in-doubt', statementsApplied: 1, inflightStatement: 1 })],
    expected: {
      refused:
        'migrations/app/V1__create.sql is in doubt: statement 2 was in flight when the connection was lost; check the database, then run sqlgate repair --version V1 --mark applied|not-applied',
      markInDoubt: null,
    },
  },
  {
    name: 'a statement in flight when a deploy stopped: refused, and the row is to be marked in doubt',
    files: [v1],
    history: [row(v1, { status: 'running', statementsApplied: 2, inflightStatement: 2 })],
    expected: {
      refused:
        'migrations/app/V1__create.sql is in doubt: a deploy stopped while statement 3 was in flight; check the database, then run sqlgate repair --version V1 --mark applied|not-applied',
      markInDoubt: 'V1',
    },
  },
  {
    name: 'stopped between statements (running, nothing in flight): resumes at the next statement',
    files: [v1],
    history: [row(v1, { status: 'running', statementsApplied: 2 })],
    expected: { actions: ['apply V1 from 2 (resume)'], warnings: [] },
  },
  {
    name: 'failed, its failing statement fixed: resumes at the failed statement',
    files: [v1FixedTail, v2],
    history: [row(v1, { status: 'failed', statementsApplied: 2, failedStatement: 2 })],
    expected: { actions: ['apply V1 from 2 (resume)', 'apply V2 from 0'], warnings: [] },
  },
  {
    name: 'an edited statement on resume: a statement that already ran changed, so the resume is refused',
    files: [v1Edited],
    history: [row(v1, { status: 'failed', statementsApplied: 2, failedStatement: 2 })],
    expected: {
      refused:
        'statement 1 of migrations/app/V1__create.sql changed after it was applied; restore it, and fix the failing statement or add a new migration',
      markInDoubt: null,
    },
  },
  {
    name: 'out of order: a new file older than an applied one is refused',
    files: [v1, v2, v3],
    history: [row(v1, {}), row(v3, {})],
    expected: {
      refused:
        'migrations/app/V2__more.sql (version V2) is older than migrations/app/V3__later.sql, which is already applied; give it a higher version',
      markInDoubt: null,
    },
  },
  {
    name: 'a history row without a file in the repository is a warning, not a refusal',
    files: [v2],
    history: [row(v1, {})],
    expected: {
      actions: ['apply V2 from 0'],
      warnings: ['migrations/app/V1__create.sql (version V1) is in the history but not in the repository'],
    },
  },
];

describe('decideDeploy', () => {
  it.each(cases)('$name', ({ files, history, expected }) => {
    expect(summary(decideDeploy(files, history))).toEqual(expected);
  });
});
