import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { ParserPool } from '../../src/parser/pool.js';
import { loadPolicies, type PolicyTexts } from '../../src/policy/load.js';
import { POLICY_FILES, type Policy, type PolicyFileKey } from '../../src/policy/types.js';
import { evaluateRisk } from '../../src/risk/evaluate.js';
import { analyseSql } from '../../src/sql/analyse.js';
import { type MigrationName, parseMigrationName } from '../../src/sql/migration-name.js';
import { REPO_ROOT, seedTexts } from './seed-texts.js';

const pool = new ParserPool();
afterAll(() => pool.close());

/** The starter policies a user copies (policies/ at the repository root). */
function starterTexts(): PolicyTexts {
  const texts: PolicyTexts = {};
  for (const [key, name] of Object.entries(POLICY_FILES) as [PolicyFileKey, string][]) {
    texts[key] = readFileSync(`${REPO_ROOT}policies/${name}`, 'utf8');
  }
  return texts;
}

function load(texts: PolicyTexts): Policy {
  const result = loadPolicies(texts);
  if (!result.ok) throw new Error(result.errors.map((e) => e.format()).join('\n'));
  return result.policy;
}

async function riskOf(policy: Policy, sql: string, path = 'migrations/test_db/V2__change.sql') {
  const migration = parseMigrationName(path) as MigrationName;
  return evaluateRisk(policy, [{ migration, statements: await analyseSql(sql, pool) }]);
}

describe('the starter policies', () => {
  it('an unbounded DELETE FROM users on Prod is high and needs the Project Owner, then the DBA', async () => {
    const risk = await riskOf(load(starterTexts()), 'DELETE FROM users;');
    expect(risk.tasks.map((t) => [t.environment, t.level])).toEqual([
      ['test', 'high'],
      ['prod', 'high'],
    ]);
    expect(risk.tasks[1]?.statements[0]?.matches.map((m) => m.title)).toContain(
      'DELETE or UPDATE without a WHERE is High',
    );
    expect(risk.flow).toMatchObject({ source: 'dml', level: 'high', flow: { id: 'owner-then-dba' } });
  });

  it('dropping a table is high even where it only reaches Test', async () => {
    const policy = load(starterTexts());
    const risk = await riskOf(policy, 'DROP TABLE legacy;');
    expect(risk.tasks.map((t) => [t.environment, t.level])).toEqual([
      ['test', 'high'],
      ['prod', 'high'],
    ]);
    expect(risk.flow).toMatchObject({ source: 'ddl', level: 'high', flow: { id: 'tester-owner-dba' } });
  });

  it("merges Bytebase's preset with the rules written, unless preset: none is written", () => {
    const rules =
      'rules:\n  - {title: DDL on Prod is High, source: ddl, level: high, when: {environment: prod}}\n';
    expect(load({ ...seedTexts(), risk: rules }).risk.preset).toBe('bytebase');
    expect(load({ ...seedTexts(), risk: `${rules}preset: none\n` }).risk.preset).toBe('none');
  });

  it("keeps the seed tutorial's exact policies, without the preset, in examples/seed/policies", async () => {
    const policy = load(seedTexts());
    expect(policy.risk.preset).toBe('none');
    const risk = await riskOf(policy, 'DELETE FROM users;');
    expect(risk.level).toBe('none');
    expect(risk.flow).toBeUndefined();
  });
});
