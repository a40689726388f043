import { afterAll, describe, expect, it } from 'vitest';
import { ParserPool } from '../../src/parser/pool.js';
import { analyseSql } from '../../src/sql/analyse.js';
import { splitStatements } from '../../src/sql/split.js';
import type { StatementType } from '../../src/sql/statement-types.js';

const pool = new ParserPool();
afterAll(() => pool.close());

// Statements whose type is known, many with identifiers named like the keywords that open and
// close compound statements (event, begin, end, procedure), and compound bodies full of `;`.
const PLAIN: readonly [string, StatementType][] = [
  ['CREATE TABLE calendar (id INT, event VARCHAR(20), begin DATETIME, end DATETIME)', 'CREATE_TABLE'],
  ['CREATE TABLE `procedure` (`begin` INT, `end` INT, trigger_at INT)', 'CREATE_TABLE'],
  ["INSERT INTO calendar (event, begin, end) VALUES ('a;b$$c//d', 1, 2)", 'INSERT'],
  ["UPDATE calendar SET end = begin WHERE event = 'launch'", 'UPDATE'],
  ['DELETE FROM calendar WHERE begin < 1', 'DELETE'],
  ['DROP TABLE users', 'DROP_TABLE'],
  ['TRUNCATE TABLE sessions', 'TRUNCATE'],
  ['ALTER TABLE calendar ADD COLUMN procedure_name INT', 'ALTER_TABLE'],
  ['CALL do_begin()', 'CALL'],
  ['SELECT begin, end, event FROM calendar', 'SELECT'],
  ['WITH x AS (SELECT 1) DELETE FROM calendar', 'DELETE'],
  ['SET FOREIGN_KEY_CHECKS = 0', 'SET'],
  ['RENAME TABLE calendar TO events', 'RENAME'],
  ['PREPARE s FROM @sql', 'PREPARE'],
  ['/*M! ALTER TABLE calendar ADD COLUMN m INT */', 'ALTER_TABLE'],
  ['/*!50001 DROP VIEW v_calendar */', 'DROP_VIEW'],
];
const COMPOUND: readonly [string, StatementType][] = [
  [
    'CREATE PROCEDURE p_calendar()\nBEGIN\n  SELECT begin, end FROM calendar;\n  IF 1 THEN SELECT 1; END IF;\n  CASE WHEN 1 THEN SELECT 2; ELSE BEGIN END; END CASE;\nEND',
    'CREATE_PROCEDURE',
  ],
  [
    'CREATE DEFINER=root@localhost TRIGGER trg_calendar BEFORE INSERT ON calendar FOR EACH ROW BEGIN SET NEW.end = NEW.begin; END',
    'CREATE_TRIGGER',
  ],
  [
    'CREATE EVENT ev_purge ON SCHEDULE EVERY 1 DAY DO BEGIN DELETE FROM calendar WHERE end < NOW(); END',
    'CREATE_EVENT',
  ],
  [
    'CREATE OR REPLACE FUNCTION f_end() RETURNS INT DETERMINISTIC BEGIN DECLARE x INT DEFAULT CASE WHEN 1 THEN 2 END; lbl: LOOP LEAVE lbl; END LOOP lbl; RETURN x; END',
    'CREATE_FUNCTION',
  ],
];
const DECORATIONS = ['', '\n', '-- begin; end$$\n', '/* event; // */ ', '# procedure;\n'];
const DELIMITERS = ['$$', '//', ';;'];

/** A small seeded generator (mulberry32), so a failure names the seed that reproduces it. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A script and, in order, the type of every statement the server runs when the client sends it. */
function generate(seed: number): { script: string; types: StatementType[] } {
  const next = random(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
  const atom = () => (next() < 0.25 ? pick(COMPOUND) : pick(PLAIN));
  let script = '';
  const types: StatementType[] = [];
  const segments = 1 + Math.floor(next() * 4);
  for (let s = 0; s < segments; s++) {
    if (next() < 0.5) {
      // Default delimiter: one statement per `;`; a compound statement keeps its body.
      for (let n = 1 + Math.floor(next() * 4); n > 0; n--) {
        const [sql, type] = atom();
        script += `${pick(DECORATIONS)}${sql};\n`;
        types.push(type);
      }
    } else {
      // A custom delimiter: the client sends each chunk whole, `;`s included.
      const delimiter = pick(DELIMITERS);
      script += `DELIMITER ${delimiter}\n`;
      for (let chunks = 1 + Math.floor(next() * 3); chunks > 0; chunks--) {
        const parts: string[] = [];
        for (let n = 1 + Math.floor(next() * 3); n > 0; n--) {
          const [sql, type] = atom();
          parts.push(sql);
          types.push(type);
        }
        script += `${pick(DECORATIONS)}${next() < 0.2 ? ';' : ''}${parts.join(pick([';', '; ', ';\n']))}${delimiter}\n`;
      }
      script += 'DELIMITER ;\n';
    }
  }
  return { script, types };
}

describe('for every split chunk, every statement the server would run is classified', () => {
  const seeds = Array.from({ length: 150 }, (_, i) => i + 1);

  it.each(seeds)('generated script, seed %i', async (seed) => {
    const { script, types } = generate(seed);
    const analysed = await analyseSql(script, pool);
    expect(
      analysed.map((s) => s.facts.type),
      script,
    ).toEqual(types);
    // Each statement is reported inside the chunk the client sends it in.
    const chunks = splitStatements(script);
    const order = (p: { line: number; column: number }) => p.line * 1e6 + p.column;
    for (const s of analysed) {
      const chunk = chunks[s.index];
      expect(chunk && order(chunk.start) <= order(s.start) && order(s.end) <= order(chunk.end), script).toBe(
        true,
      );
    }
  });
});
