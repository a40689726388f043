import { afterAll, describe, expect, it } from 'vitest';
import { ParserPool } from '../../src/parser/pool.js';
import { analyseSql } from '../../src/sql/analyse.js';

const pool = new ParserPool();
afterAll(() => pool.close());

// Every statement type Bytebase's MySQL classifier names (backend/plugin/parser/mysql/statement_type.go),
// one statement each: a rule copied from Bytebase's Risk Center must match the same statements here.
const BYTEBASE_MYSQL_TYPES: readonly [sql: string, type: string][] = [
  ['CREATE DATABASE shop', 'CREATE_DATABASE'],
  ['CREATE SCHEMA IF NOT EXISTS shop', 'CREATE_DATABASE'],
  ['CREATE TABLE t1 (a INT)', 'CREATE_TABLE'],
  ['CREATE TABLE t2 LIKE t1', 'CREATE_TABLE'],
  ['CREATE TABLE t3 AS SELECT * FROM t1', 'CREATE_TABLE'],
  ['CREATE INDEX ix_a ON t1 (a)', 'CREATE_INDEX'],
  ['CREATE UNIQUE INDEX ux_a ON t1 (a)', 'CREATE_INDEX'],
  ['CREATE VIEW v1 AS SELECT a FROM t1', 'CREATE_VIEW'],
  ['CREATE OR REPLACE VIEW v1 AS SELECT a FROM t1', 'CREATE_VIEW'],
  ['CREATE EVENT ev ON SCHEDULE EVERY 1 DAY DO DELETE FROM t1', 'CREATE_EVENT'],
  ['CREATE TRIGGER tr BEFORE INSERT ON t1 FOR EACH ROW SET NEW.a = 1', 'CREATE_TRIGGER'],
  ['CREATE PROCEDURE p1() SELECT 1', 'CREATE_PROCEDURE'],
  ['CREATE FUNCTION f1() RETURNS INT DETERMINISTIC RETURN 1', 'CREATE_FUNCTION'],
  ['DROP DATABASE shop', 'DROP_DATABASE'],
  ['DROP SCHEMA IF EXISTS shop', 'DROP_DATABASE'],
  ['DROP TABLE t1', 'DROP_TABLE'],
  ['DROP INDEX ix_a ON t1', 'DROP_INDEX'],
  ['DROP VIEW v1', 'DROP_VIEW'],
  ['DROP EVENT ev', 'DROP_EVENT'],
  ['DROP TRIGGER tr', 'DROP_TRIGGER'],
  ['DROP PROCEDURE p1', 'DROP_PROCEDURE'],
  ['DROP FUNCTION f1', 'DROP_FUNCTION'],
  ['ALTER TABLE t1 ADD COLUMN b INT', 'ALTER_TABLE'],
  ['ALTER DATABASE shop CHARACTER SET utf8mb4', 'ALTER_DATABASE'],
  ['ALTER SCHEMA shop CHARACTER SET utf8mb4', 'ALTER_DATABASE'],
  ['ALTER VIEW v1 AS SELECT a FROM t1', 'ALTER_VIEW'],
  ['ALTER EVENT ev DISABLE', 'ALTER_EVENT'],
  ['TRUNCATE TABLE t1', 'TRUNCATE'],
  ['TRUNCATE t1', 'TRUNCATE'],
  ['RENAME TABLE t1 TO t9', 'RENAME'],
  ['INSERT INTO t1 (a) VALUES (1)', 'INSERT'],
  ['INSERT INTO t2 (a) SELECT a FROM t1 WHERE a > 100', 'INSERT'],
  ['UPDATE t1 SET a = 2 WHERE a = 1', 'UPDATE'],
  ['DELETE FROM t1 WHERE a = 2', 'DELETE'],
];

describe("Bytebase's MySQL statement types", () => {
  it.each(BYTEBASE_MYSQL_TYPES)('%s is %s', async (sql, type) => {
    const [statement] = await analyseSql(sql, pool);
    expect(statement?.facts.type).toBe(type);
  });
});
