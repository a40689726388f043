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

function policyWith(over: PolicyTexts): Policy {
  const result = loadPolicies({ ...seedTexts(), ...over });
  if (!result.ok) throw new Error(result.errors.map((e) => e.format()).join('\n'));
  return result.policy;
}

const FLOWS = `flows:
  - {id: owner-then-dba, title: Project Owner → DBA, steps: [project-owner, dba]}
  - {id: tester-owner-dba, title: Tester → Project Owner → DBA, steps: [tester, project-owner, dba]}
`;

async function riskOf(policy: Policy, sql: string, path = 'migrations/test_db/V2__change.sql') {
  const migration = parseMigrationName(path) as MigrationName;
  return evaluateRisk(policy, [{ migration, statements: await analyseSql(sql, pool) }]);
}

const ddl = 'ALTER TABLE t1 ADD COLUMN email VARCHAR(100);';

describe('the seed scenario, step by step', () => {
  it('step 2: with no custom approval a schema change needs no approval', async () => {
    const risk = await riskOf(policyWith({ approval: FLOWS }), ddl);
    expect(risk.flow).toBeUndefined();
  });

  it('step 3: "DDL on Prod is High" + DDL × High → Project Owner → DBA; the pipeline takes the highest task', async () => {
    const policy = policyWith({
      approval: `${FLOWS}assignments:\n  - {source: ddl, level: high, flow: owner-then-dba}\n`,
    });
    const risk = await riskOf(policy, ddl);
    expect(risk.tasks.map((t) => [t.environment, t.level])).toEqual([
      ['test', 'low'],
      ['prod', 'high'],
    ]);
    expect(risk.level).toBe('high');
    expect(risk.levelBySource).toEqual({ ddl: 'high' });
    expect(risk.flow?.flow.steps.map((s) => s.role)).toEqual(['project-owner', 'dba']);
    const prod = risk.tasks[1]?.statements[0];
    expect(prod?.matches.map((m) => [m.title, m.level, `${m.at.file}:${m.at.line}`])).toEqual([
      ['DDL on Prod is High', 'high', 'policies/risk-rules.yaml:5'],
    ]);
  });

  it('step 4: Tester → Project Owner → DBA assigned to DDL × High', async () => {
    const risk = await riskOf(policyWith({}), ddl);
    expect(risk.flow).toMatchObject({ source: 'ddl', level: 'high', flow: { id: 'tester-owner-dba' } });
  });

  it('a data-only change matches no DDL rule and needs no approval', async () => {
    const risk = await riskOf(policyWith({}), "UPDATE t1 SET email = 'x' WHERE id = 1;");
    expect(risk.level).toBe('none');
    expect(risk.flow).toBeUndefined();
  });
});

describe('risk decisions', () => {
  it('SQL that cannot be parsed is never low: it gets unparsedLevel, with the parser message', async () => {
    const policy = policyWith({
      risk: 'unparsedLevel: high\nrules:\n  - {title: Test DDL low, source: ddl, level: low, when: {environment: test}}\n',
    });
    const risk = await riskOf(policy, 'ALTER TABLE t1 FROBNICATE x;');
    const statement = risk.tasks[0]?.statements[0];
    expect(statement?.level).toBe('high');
    expect(statement?.unparsed?.message).toMatch(/^syntax error at line 1, column 16 of the statement/);
    expect(risk.flow?.flow.id).toBe('tester-owner-dba');
  });

  it('explains in words that a stored program cannot be analysed, and rates it at unparsedLevel', async () => {
    const policy = policyWith({ risk: 'unparsedLevel: moderate\npreset: none\n' });
    const risk = await riskOf(
      policy,
      'CREATE PROCEDURE purge()\nBEGIN\n  DELETE FROM sessions;\nEND;\nALTER TABLE t1 FROBNICATE x;',
    );
    const [procedure, alter] = risk.tasks[0]?.statements ?? [];
    expect(procedure?.level).toBe('moderate');
    expect(procedure?.unparsed?.explanation).toBe(
      'sqlgate cannot analyse stored programs (CREATE PROCEDURE); rated at unparsedLevel moderate',
    );
    expect(alter?.unparsed?.explanation).toMatch(
      /^sqlgate cannot parse this statement \(syntax error at line 1, column 16 of the statement.*\); rated at unparsedLevel moderate$/,
    );
  });

  it('applies the Bytebase preset when no rules are written', async () => {
    const policy = policyWith({ risk: 'unparsedLevel: moderate\n' });
    const risk = await riskOf(
      policy,
      'DROP TABLE old;\nUPDATE t SET a = 1;\nCREATE TABLE n (id INT);\nALTER TABLE t ADD c INT;',
    );
    expect(risk.tasks[0]?.statements.map((s) => [s.facts.type, s.level])).toEqual([
      ['DROP_TABLE', 'high'],
      ['UPDATE', 'moderate'],
      ['CREATE_TABLE', 'low'],
      ['ALTER_TABLE', 'moderate'],
    ]);
    expect(policy.risk.preset).toBe('bytebase');
  });

  it('treats assignments as minimum bars: a high DDL needs the flow assigned to moderate DDL', async () => {
    const policy = policyWith({
      approval: `${FLOWS}assignments:\n  - {source: ddl, level: moderate, flow: owner-then-dba}\n`,
    });
    const risk = await riskOf(policy, ddl);
    expect(risk.flow).toMatchObject({ source: 'ddl', level: 'moderate', flow: { id: 'owner-then-dba' } });
  });

  it('picks the highest assigned pair across sources', async () => {
    const policy = policyWith({
      risk: 'rules:\n  - {title: Unbounded delete, source: dml, level: high, when: {statementType: DELETE, hasWhere: false}}\n  - {title: DDL moderate, source: ddl, level: moderate, when: {environment: "*"}}\n',
      approval: `${FLOWS}assignments:\n  - {source: ddl, level: moderate, flow: owner-then-dba}\n  - {source: dml, level: high, flow: tester-owner-dba}\n`,
    });
    const risk = await riskOf(policy, 'ALTER TABLE t ADD c INT;\nDELETE FROM t;');
    expect(risk.levelBySource).toEqual({ ddl: 'moderate', dml: 'high' });
    expect(risk.flow).toMatchObject({ source: 'dml', level: 'high', flow: { id: 'tester-owner-dba' } });
  });

  it('reports rules that held only because a row count was unknown', async () => {
    const policy = policyWith({
      risk: 'rules:\n  - {title: Big delete, source: dml, level: high, when: {affectedRows: {gt: 1000}}}\npreset: none\n',
    });
    const risk = await riskOf(policy, 'DELETE FROM t WHERE id < 10;');
    expect(risk.tasks[0]?.statements[0]?.matches).toEqual([
      expect.objectContaining({ title: 'Big delete', level: 'high', unknownFacts: ['affectedRows'] }),
    ]);
  });

  it('evaluates a create: true database as a create-database change', async () => {
    const policy = policyWith({
      risk: 'rules:\n  - {title: New databases on Prod, source: create-database, level: moderate, when: {environment: prod}}\n',
    });
    const created = {
      name: 'reports',
      environment: 'prod',
      urlEnv: 'PROD_DB_URL',
      migrations: 'reports',
      create: true,
    };
    const risk = evaluateRisk(policy, [], { creates: [created] });
    expect(risk.tasks.map((t) => [t.file, t.environment, t.level, t.statements[0]?.facts.type])).toEqual([
      ['environments.yaml#reports', 'prod', 'moderate', 'CREATE_DATABASE'],
    ]);
    expect(risk.levelBySource).toEqual({ 'create-database': 'moderate' });
  });
});
