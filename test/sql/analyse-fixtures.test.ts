import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { ParserPool } from '../../src/parser/pool.js';
import { analyseSql } from '../../src/sql/analyse.js';
import { REPO_ROOT } from '../policy/seed-texts.js';

// Each fixture is a real-world style .sql file beside the facts it must produce (.expected.json).
const DIR = `${REPO_ROOT}test/fixtures/sql`;
const FLAGS = [
  'destructive',
  'backwardIncompatible',
  'dataDependent',
  'tableRewrite',
  'hasAlgorithm',
  'hasLock',
  'callsRoutine',
  'dynamic',
] as const;
const pool = new ParserPool();
afterAll(() => pool.close());

const fixtures = readdirSync(DIR)
  .filter((f) => f.endsWith('.sql'))
  .map((f) => ({
    name: f,
    sql: readFileSync(`${DIR}/${f}`, 'utf8'),
    expected: JSON.parse(
      readFileSync(`${DIR}/${f.replace(/\.sql$/, '.expected.json')}`, 'utf8'),
    ) as unknown[],
  }));

describe('statement analysis fixtures', () => {
  it('cover at least 60 statements', () => {
    expect(fixtures.reduce((n, f) => n + f.expected.length, 0)).toBeGreaterThanOrEqual(60);
  });

  it.each(fixtures)('$name', async ({ name, sql, expected }) => {
    const analysed = await analyseSql(sql, pool);
    const actual = analysed.map((s) => {
      const x = s.facts;
      const flags = FLAGS.filter((k) => x[k]);
      return {
        at: `${s.start.line}:${s.start.column}-${s.end.line}:${s.end.column}`,
        type: x.type,
        source: x.source,
        tables: x.tables,
        ...(x.operations.length ? { operations: x.operations } : {}),
        ...(x.hasWhere !== undefined ? { hasWhere: x.hasWhere } : {}),
        ...(x.limit !== undefined ? { limit: x.limit } : {}),
        ...(x.onlineDdl !== undefined ? { onlineDdl: x.onlineDdl } : {}),
        ...(x.sessionOverrides.length ? { sessionOverride: x.sessionOverrides } : {}),
        ...(x.insertRows !== undefined ? { insertRows: x.insertRows } : {}),
        ...(flags.length ? { flags } : {}),
        parsed: x.parse.ok,
        ...(!x.parse.ok ? { message: x.parse.message } : {}),
      };
    });
    if (process.env.UPDATE_FIXTURES)
      writeFileSync(
        `${DIR}/${name.replace(/\.sql$/, '.expected.json')}`,
        `${JSON.stringify(actual, null, 1)}\n`,
      );
    expect(actual).toEqual(expected);
  });
});
