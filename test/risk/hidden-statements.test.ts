import { afterAll, describe, expect, it } from 'vitest';
import { ParserPool } from '../../src/parser/pool.js';
import { loadPolicies, type PolicyTexts } from '../../src/policy/load.js';
import type { Policy } from '../../src/policy/types.js';
import { evaluateRisk } from '../../src/risk/evaluate.js';
import { analyseSql } from '../../src/sql/analyse.js';
import { type MigrationName, parseMigrationName } from '../../src/sql/migration-name.js';
import { seedTexts } from '../policy/seed-texts.js';

const pool = new ParserPool();
afterAll(() => pool.close());

function load(over: PolicyTexts) {
  const result = loadPolicies({ ...seedTexts(), ...over });
  if (!result.ok) throw new Error(result.errors.map((e) => e.format()).join('\n'));
  return result;
}

/** Level of each statement of `sql` in the test environment, with the preview. */
async function levels(policy: Policy, sql: string): Promise<[string, string][]> {
  const migration = parseMigrationName('migrations/test_db/V2__change.sql') as MigrationName;
  const risk = evaluateRisk(policy, [{ migration, statements: await analyseSql(sql, pool) }]);
  const test = risk.tasks.find((t) => t.environment === 'test');
  return (test?.statements ?? []).map((s) => [s.preview, s.level]);
}

const PRESET_ONLY = { risk: 'preset: bytebase\nrules: []\n' };

describe('statements whose effect the reviewer cannot see', () => {
  it('the Bytebase preset rates CALL and dynamic SQL at least moderate', async () => {
    const policy = load(PRESET_ONLY).policy;
    const sql =
      "CALL migrate_accounts();\nPREPARE s FROM @sql;\nEXECUTE s;\nEXECUTE IMMEDIATE 'DROP TABLE t';\nSELECT 1;";
    expect(await levels(policy, sql)).toEqual([
      ['CALL migrate_accounts()', 'moderate'],
      ['PREPARE s FROM @sql', 'high'], // unparsable: unparsedLevel
      ['EXECUTE s', 'high'],
      ["EXECUTE IMMEDIATE 'DROP TABLE t'", 'high'],
      ['SELECT 1', 'low'],
    ]);
    const [call] =
      evaluateRisk(policy, [
        {
          migration: parseMigrationName('migrations/test_db/V2__c.sql') as MigrationName,
          statements: await analyseSql('CALL p();', pool),
        },
      ]).tasks[0]?.statements ?? [];
    expect(call?.matches.map((m) => m.title)).toContain(
      'sqlgate preset: procedure calls and dynamic SQL (what they run is not visible)',
    );
  });

  it('a rule can rate session overrides, LIMITs, the online DDL class and dynamic SQL', async () => {
    const rules = `rules:
  - {title: checks off, source: ddl, level: high, when: {sessionOverride: [foreign_key_checks, sql_log_bin, 'global.*']}}
  - {title: big batch, source: dml, level: moderate, when: {limit: {gt: 1000}}}
  - {title: table copy, source: ddl, level: high, when: {onlineDdl: copy}}
  - {title: instant, source: ddl, level: low, when: {onlineDdl: instant}}
  - {title: dynamic, source: ddl, level: high, when: {dynamic: true}}
  - {title: routine, source: ddl, level: moderate, when: {callsRoutine: true}}
preset: none
`;
    const policy = load({ risk: rules }).policy;
    const sql = [
      'SET FOREIGN_KEY_CHECKS=0',
      'SET GLOBAL max_connections = 10',
      "SET sql_mode = ''",
      'DELETE FROM sessions WHERE expires_at < NOW() LIMIT 5000',
      'DELETE FROM sessions WHERE expires_at < NOW() LIMIT 10',
      'ALTER TABLE orders ADD CONSTRAINT fk_c FOREIGN KEY (c) REFERENCES customers (id)',
      'ALTER TABLE orders ADD COLUMN note TEXT',
      'CALL p()',
    ].join(';\n');
    expect(await levels(policy, sql)).toEqual([
      ['SET FOREIGN_KEY_CHECKS=0', 'high'],
      ['SET GLOBAL max_connections = 10', 'high'],
      ["SET sql_mode = ''", 'none'],
      ['DELETE FROM sessions WHERE expires_at < NOW() LIMIT 5000', 'moderate'],
      ['DELETE FROM sessions WHERE expires_at < NOW() LIMIT 10', 'none'],
      ['ALTER TABLE orders ADD CONSTRAINT fk_c FOREIGN KEY (c) REFERENCES customers (id)', 'high'],
      ['ALTER TABLE orders ADD COLUMN note TEXT', 'low'],
      ['CALL p()', 'moderate'],
    ]);
  });

  it('a DELETE whose WHERE is always true is a DELETE without WHERE', async () => {
    const policy = load({
      risk: 'rules:\n  - {title: unbounded, source: dml, level: high, when: {statementType: [DELETE, UPDATE], hasWhere: false}}\npreset: none\n',
    }).policy;
    expect(
      await levels(
        policy,
        'DELETE FROM orders WHERE 1=1;\nUPDATE users SET a = 0 WHERE TRUE;\nDELETE FROM orders WHERE id = 7;',
      ),
    ).toEqual([
      ['DELETE FROM orders WHERE 1=1', 'high'],
      ['UPDATE users SET a = 0 WHERE TRUE', 'high'],
      ['DELETE FROM orders WHERE id = 7', 'none'],
    ]);
  });
});

describe("Bytebase's statement type names in policies", () => {
  it('a rule copied from Bytebase matches RENAME TABLE and DROP SCHEMA', async () => {
    const policy = load({
      risk: 'rules:\n  - {title: renames and drops, source: ddl, level: high, when: {statementType: [RENAME, DROP_DATABASE]}}\npreset: none\n',
    }).policy;
    expect(await levels(policy, 'RENAME TABLE a TO b;\nDROP SCHEMA legacy;\nDROP TABLE c;')).toEqual([
      ['RENAME TABLE a TO b', 'high'],
      ['DROP SCHEMA legacy', 'high'],
      ['DROP TABLE c', 'none'],
    ]);
  });

  it("sqlgate's old names still match, with a warning that names the file, line and new name", async () => {
    const loaded = load({
      risk: 'rules:\n  - title: old names\n    source: ddl\n    level: high\n    when:\n      statementType: [RENAME_TABLE, DROP_SCHEMA]\npreset: none\n',
    });
    expect(loaded.ok && loaded.warnings.map((w) => w.format())).toEqual([
      `policies/risk-rules.yaml:6:23: "RENAME_TABLE" is the old name of Bytebase's RENAME; write RENAME`,
      `policies/risk-rules.yaml:6:37: "DROP_SCHEMA" is the old name of Bytebase's DROP_DATABASE; write DROP_DATABASE`,
      `policies/risk-rules.yaml:7:9: no rule rates data changes (source dml), so they are level none and need no approval; add a rule for them, or drop preset: none to use Bytebase's`,
    ]);
    expect(await levels(loaded.policy, 'RENAME TABLE a TO b;\nDROP SCHEMA legacy;')).toEqual([
      ['RENAME TABLE a TO b', 'high'],
      ['DROP SCHEMA legacy', 'high'],
    ]);
  });
});
