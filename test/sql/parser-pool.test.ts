import { afterAll, describe, expect, it } from 'vitest';
import { ParserPool } from '../../src/parser/pool.js';
import { analyseSql } from '../../src/sql/analyse.js';

describe('parsing in a worker with a time budget', () => {
  const pool = new ParserPool({ budgetMs: 25 });
  afterAll(() => pool.close());

  it('fails closed on a statement that exceeds the budget and goes on with the rest', async () => {
    const slow = `UPDATE t SET a = 1 WHERE id IN (${Array.from({ length: 30_000 }, (_, i) => i).join(',')})`;
    const result = await analyseSql(`SELECT 1;\n${slow};\nDELETE FROM t WHERE id = 1;`, pool);
    expect(result.map((s) => s.facts.parse)).toEqual([
      { ok: true, via: 'ast' },
      { ok: false, reason: 'timeout', message: 'the parser did not finish within 25 ms' },
      { ok: true, via: 'ast' },
    ]);
    expect(result[1]?.facts.type).toBe('UPDATE');
    expect(result[2]?.facts.hasWhere).toBe(true);
  });

  it('refuses statements above the size cap without parsing them', async () => {
    const big = `UPDATE t SET a = '${'x'.repeat(2000)}' WHERE id = 1`;
    const [s] = await analyseSql(big, pool, { maxStatementBytes: 1000 });
    expect(s?.facts.parse).toEqual({
      ok: false,
      reason: 'too-large',
      message: `statement of ${big.length} bytes exceeds the analysis limit of 1000 bytes`,
    });
  });

  it('reads a large INSERT ... VALUES on the fast path with its table and row count', async () => {
    const rows = Array.from({ length: 5000 }, (_, i) => `(${i}, 'name ${i}; with ''quotes''', NULL)`).join(
      ',\n',
    );
    const [s] = await analyseSql(`INSERT INTO \`shop\`.\`items\` (id, name, note) VALUES ${rows};`, pool);
    expect(s?.facts).toMatchObject({
      type: 'INSERT',
      tables: ['shop.items'],
      insertRows: 5000,
      parse: { ok: true, via: 'fast-path' },
    });
  });

  it('leaves an INSERT with ON DUPLICATE KEY UPDATE to the real parser', async () => {
    const rows = Array.from({ length: 2000 }, (_, i) => `(${i}, 'n')`).join(',');
    // The point is the fast path declining, not the time budget: give a loaded machine room.
    const patient = new ParserPool({ budgetMs: 30_000 });
    const [s] = await analyseSql(
      `INSERT INTO items (id, name) VALUES ${rows} ON DUPLICATE KEY UPDATE name = VALUES(name)`,
      patient,
    );
    await patient.close();
    expect(s?.facts).toMatchObject({ type: 'INSERT', insertRows: 2000, parse: { ok: true, via: 'ast' } });
  });
});
