// How statements are grouped so each is applied exactly once, and what is refused before
// anything runs: a table of cases, no server.
import { describe, expect, it } from 'vitest';
import { unitsOf } from '../../src/deploy/units.js';

const lines = (...texts: string[]) => texts.map((text, i) => ({ text, line: i + 1 }));

const cases: { name: string; statements: string[]; expected: unknown }[] = [
  {
    name: 'single-table DML names the table it writes; DDL and other statements do not',
    statements: [
      'CREATE TABLE t (id INT)',
      'INSERT INTO t VALUES (1)',
      'INSERT IGNORE app.t2 (id) SELECT id FROM t',
      'UPDATE LOW_PRIORITY t AS x SET id = 2 WHERE id = 1',
      'DELETE FROM `t` WHERE id = 2',
      'REPLACE INTO t VALUES (3)',
      'SELECT 1',
    ],
    expected: {
      units: [
        { kind: 'statement', index: 0, tables: null },
        { kind: 'statement', index: 1, tables: [{ schema: null, name: 't' }] },
        { kind: 'statement', index: 2, tables: [{ schema: 'app', name: 't2' }] },
        { kind: 'statement', index: 3, tables: [{ schema: null, name: 't' }] },
        { kind: 'statement', index: 4, tables: [{ schema: null, name: 't' }] },
        { kind: 'statement', index: 5, tables: [{ schema: null, name: 't' }] },
        { kind: 'statement', index: 6, tables: null },
      ],
    },
  },
  {
    name: 'multi-table UPDATE and DELETE cannot be told apart table by table, so they run like DDL',
    statements: [
      'UPDATE a JOIN b ON a.id = b.id SET a.x = b.x',
      'DELETE a FROM a JOIN b ON a.id = b.id',
      'DELETE FROM a USING a, b',
    ],
    expected: {
      units: [
        { kind: 'statement', index: 0, tables: null },
        { kind: 'statement', index: 1, tables: null },
        { kind: 'statement', index: 2, tables: null },
      ],
    },
  },
  {
    name: 'START TRANSACTION … COMMIT is one unit, with every table written inside it',
    statements: [
      'START TRANSACTION',
      'INSERT INTO a VALUES (1)',
      'SET @x = 1',
      'UPDATE b SET y = @x',
      'COMMIT',
      'DROP TABLE c',
    ],
    expected: {
      units: [
        {
          kind: 'transaction',
          from: 0,
          to: 4,
          end: 'commit',
          tables: [
            { schema: null, name: 'a' },
            { schema: null, name: 'b' },
          ],
        },
        { kind: 'statement', index: 5, tables: null },
      ],
    },
  },
  {
    name: 'BEGIN … ROLLBACK is a unit too; BEGIN NOT ATOMIC is a compound statement, not a transaction',
    statements: ['BEGIN', 'DELETE FROM a', 'ROLLBACK', 'BEGIN NOT ATOMIC SELECT 1; END'],
    expected: {
      units: [
        { kind: 'transaction', from: 0, to: 2, end: 'rollback', tables: [{ schema: null, name: 'a' }] },
        { kind: 'statement', index: 3, tables: null },
      ],
    },
  },
  {
    name: 'after USE, unqualified tables belong to the database it selected',
    statements: ['USE other', 'INSERT INTO t VALUES (1)'],
    expected: {
      units: [
        { kind: 'statement', index: 0, tables: null },
        { kind: 'statement', index: 1, tables: [{ schema: 'other', name: 't' }] },
      ],
    },
  },
  {
    name: 'SET autocommit = 0 is refused before anything runs',
    statements: ['CREATE TABLE t (id INT)', 'SET autocommit = 0', 'INSERT INTO t VALUES (1)'],
    expected: {
      error:
        'line 2: changes autocommit: with autocommit off, everything after it stays in an open transaction that is rolled back when the deploy ends, while the history records it as applied. Remove it (wrap statements that belong together in START TRANSACTION … COMMIT instead)',
    },
  },
  {
    name: 'SET completion_type is refused, however it is spelled',
    statements: ['SET SESSION completion_type = 1'],
    expected: { error: expect.stringMatching(/^line 1: changes completion_type: with CHAIN every COMMIT/) },
  },
  {
    name: 'SET @@completion_type is refused too',
    statements: ['SET @x = 1', "SET @@SESSION.completion_type = 'CHAIN'"],
    expected: { error: expect.stringMatching(/^line 2: changes completion_type/) },
  },
  {
    name: "FLUSH TABLES WITH READ LOCK (the server's global read lock) is refused, however it is spelled",
    statements: ['CREATE TABLE t (id INT)', 'flush local tables with read lock'],
    expected: {
      error: expect.stringMatching(
        /^line 2: takes the server's global read lock: every write waits behind it, sqlgate's own history writes too/,
      ),
    },
  },
  {
    name: 'FLUSH TABLES of named tables WITH READ LOCK or FOR EXPORT locks only those, and runs',
    statements: [
      'FLUSH TABLES a, b WITH READ LOCK',
      'UNLOCK TABLES',
      'FLUSH TABLES a FOR EXPORT',
      'FLUSH TABLES',
    ],
    expected: {
      units: [0, 1, 2, 3].map((index) => ({ kind: 'statement', index, tables: null })),
    },
  },
  {
    name: 'BACKUP STAGE is refused',
    statements: ['BACKUP STAGE START'],
    expected: { error: expect.stringMatching(/^line 1: BACKUP STAGE blocks the server's DDL and commits/) },
  },
  {
    name: 'a statement naming the history table is refused, even a temporary table that would shadow it',
    statements: ['CREATE TABLE t (id INT)', 'CREATE TEMPORARY TABLE SQLGATE_HISTORY LIKE t'],
    expected: { error: expect.stringMatching(/^line 2: this statement names sqlgate_history/) },
  },
  {
    name: 'SET SESSION autocommit = OFF is refused as well; SET autocommit = 1 is harmless',
    statements: ['SET autocommit = 1', 'SET SESSION autocommit=OFF'],
    expected: { error: expect.stringMatching(/^line 2: changes autocommit/) },
  },
  {
    name: 'a transaction left open at the end of the file is refused',
    statements: ['START TRANSACTION', 'INSERT INTO t VALUES (1)'],
    expected: {
      error:
        "line 1: START TRANSACTION without a COMMIT before the end of the file: the open transaction would be rolled back when the deploy's connection closes, while the history records its statements as applied; end it with COMMIT",
    },
  },
  {
    name: 'DDL inside a transaction commits it implicitly, so it is refused',
    statements: ['START TRANSACTION', 'INSERT INTO t VALUES (1)', 'ALTER TABLE t ADD c INT', 'COMMIT'],
    expected: {
      error:
        'line 3: this statement inside the transaction started at line 1 commits it implicitly (DDL and similar statements do), so the block could not be applied as one; move it out of START TRANSACTION … COMMIT',
    },
  },
  {
    name: 'COMMIT AND CHAIN and XA are refused',
    statements: ['START TRANSACTION', 'INSERT INTO t VALUES (1)', 'COMMIT AND CHAIN'],
    expected: { error: 'line 3: COMMIT AND CHAIN starts a new transaction that nothing commits' },
  },
];

describe('unitsOf', () => {
  it.each(cases)('$name', ({ statements, expected }) => {
    expect(unitsOf(lines(...statements))).toEqual(expected);
  });

  it('starts at the resume point', () => {
    expect(unitsOf(lines('CREATE TABLE t (id INT)', 'INSERT INTO t VALUES (1)'), 1)).toEqual({
      units: [{ kind: 'statement', index: 1, tables: [{ schema: null, name: 't' }] }],
    });
  });
});
