import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { StatementSplitter, splitStatements } from '../../src/sql/split.js';
import { REPO_ROOT } from '../policy/seed-texts.js';

const texts = (sql: string) => splitStatements(sql).map((s) => s.text);

describe('splitStatements', () => {
  it('keeps exact start and end line and column of each statement', () => {
    const sql = '-- header\n\nCREATE TABLE t (\n  id INT\n);  SELECT 1;\n';
    expect(splitStatements(sql).map((s) => [s.start, s.end])).toEqual([
      [
        { line: 3, column: 1 },
        { line: 5, column: 1 },
      ],
      [
        { line: 5, column: 5 },
        { line: 5, column: 12 },
      ],
    ]);
  });

  it('does not split on semicolons in strings, identifiers and comments', () => {
    const sql =
      "INSERT INTO `a;b` VALUES ('x;y', \"p;q\", 'it''s;', 'back\\\\;'); -- c;d\n# e;f\n/* g;h */ SELECT 2";
    expect(texts(sql)).toEqual([
      "INSERT INTO `a;b` VALUES ('x;y', \"p;q\", 'it''s;', 'back\\\\;')",
      'SELECT 2',
    ]);
  });

  it('treats "--" without a following space as an operator, as MySQL does', () => {
    expect(texts('SELECT 1--1;SELECT 2')).toEqual(['SELECT 1--1', 'SELECT 2']);
  });

  it('follows DELIMITER changes and does not emit the command itself', () => {
    const sql = 'DELIMITER //\nCREATE PROCEDURE p() BEGIN SELECT 1; SELECT 2; END//\nDELIMITER ;\nSELECT 3;';
    expect(texts(sql)).toEqual(['CREATE PROCEDURE p() BEGIN SELECT 1; SELECT 2; END', 'SELECT 3']);
  });

  it('keeps BEGIN ... END bodies of triggers whole without a DELIMITER', () => {
    const sql = [
      'CREATE TRIGGER t BEFORE UPDATE ON x FOR EACH ROW BEGIN',
      '  IF NEW.a > 1 THEN SET NEW.b = 1; END IF;',
      '  CASE NEW.c WHEN 1 THEN SET NEW.d = 2; ELSE BEGIN END; END CASE;',
      '  lbl: LOOP LEAVE lbl; END LOOP lbl;',
      'END;',
      'SELECT 1;',
    ].join('\n');
    const out = splitStatements(sql);
    expect(out.map((s) => s.start.line)).toEqual([1, 6]);
    expect(out[0]?.text.endsWith('END')).toBe(true);
  });

  it('treats a CASE expression in an ordinary statement as nothing special', () => {
    expect(texts('SELECT CASE WHEN a THEN 1 END FROM t; SELECT 2')).toEqual([
      'SELECT CASE WHEN a THEN 1 END FROM t',
      'SELECT 2',
    ]);
  });

  it('keeps versioned comments as code and splits after them', () => {
    expect(
      texts(
        '/*!40101 SET NAMES utf8 */;\n/*!50003 CREATE*/ /*!50003 TRIGGER x BEFORE INSERT ON t FOR EACH ROW SET NEW.a=1 */;',
      ),
    ).toEqual([
      '/*!40101 SET NAMES utf8 */',
      '/*!50003 CREATE*/ /*!50003 TRIGGER x BEFORE INSERT ON t FOR EACH ROW SET NEW.a=1 */',
    ]);
  });

  it('skips empty statements and comment-only input', () => {
    expect(texts(';;  ; -- nothing\n/* at all */')).toEqual([]);
    expect(texts('SELECT 1;;;SELECT 2;')).toEqual(['SELECT 1', 'SELECT 2']);
  });

  it('keeps an unterminated string to the end of the file (the parser will reject it)', () => {
    expect(texts("SELECT 'open;\nSELECT 2;")).toEqual(["SELECT 'open;\nSELECT 2;"]);
  });

  it('handles CRLF line endings', () => {
    const out = splitStatements('SELECT 1;\r\nSELECT\r\n 2;\r\n');
    expect(out.map((s) => [s.text, s.start.line, s.end.line])).toEqual([
      ['SELECT 1', 1, 1],
      ['SELECT\r\n 2', 2, 3],
    ]);
  });

  it.each([1, 2, 3, 7, 64, 4096])('gives the same statements when fed in chunks of %i characters', (size) => {
    for (const file of readdirSync(`${REPO_ROOT}test/fixtures/sql`).filter((f) => f.endsWith('.sql'))) {
      const sql = readFileSync(`${REPO_ROOT}test/fixtures/sql/${file}`, 'utf8');
      const splitter = new StatementSplitter();
      const chunked = [];
      for (let i = 0; i < sql.length; i += size) chunked.push(...splitter.push(sql.slice(i, i + size)));
      chunked.push(...splitter.end());
      expect(chunked, file).toEqual(splitStatements(sql));
    }
  });
});

describe('compound statements and executable comments', () => {
  it('enters a compound body only after CREATE [OR REPLACE] [DEFINER=...] PROCEDURE|FUNCTION|TRIGGER|EVENT', () => {
    expect(
      texts(
        'CREATE TABLE calendar (id INT, event VARCHAR(20), begin DATETIME);\nDROP TABLE users;\nCREATE DEFINER=root@localhost PROCEDURE p() BEGIN SELECT begin, end FROM calendar; END;\nDROP TABLE x;',
      ),
    ).toEqual([
      'CREATE TABLE calendar (id INT, event VARCHAR(20), begin DATETIME)',
      'DROP TABLE users',
      'CREATE DEFINER=root@localhost PROCEDURE p() BEGIN SELECT begin, end FROM calendar; END',
      'DROP TABLE x',
    ]);
  });

  it("keeps MariaDB's /*M! */ and /*M!100500 */ comments as code, like /*! */", () => {
    expect(
      texts(
        '/*M! ALTER TABLE customer ADD COLUMN x INT */;\nALTER TABLE t ADD y INT /*M! , DROP COLUMN name */;\n/*M!100500 DROP TABLE archive */;',
      ),
    ).toEqual([
      '/*M! ALTER TABLE customer ADD COLUMN x INT */',
      'ALTER TABLE t ADD y INT /*M! , DROP COLUMN name */',
      '/*M!100500 DROP TABLE archive */',
    ]);
  });

  it('tells which delimiter ended each statement', () => {
    expect(
      splitStatements('SELECT 1;\nDELIMITER $$\nSELECT 2; SELECT 3$$\n').map((s) => s.delimiter),
    ).toEqual([';', '$$']);
  });
});
