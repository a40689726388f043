// Loading + validating a large policy vs a bare yaml.parse of the same files.
import { parse } from 'yaml';
import { loadPolicies, type PolicyTexts } from '../src/policy/load.js';
import { median, ms, report } from './measure.js';

export function generatePolicy(rules = 1000, roles = 200, flows = 100): PolicyTexts {
  const roleLines = ['roles:'];
  for (let i = 0; i < roles; i++) {
    roleLines.push(
      `  - id: role-${i}`,
      `    title: Role ${i}`,
      `    members: [user-${i}a, user-${i}b, acme/team-${i}]`,
    );
  }
  const flowLines = ['flows:'];
  for (let i = 0; i < flows; i++) {
    flowLines.push(
      `  - id: flow-${i}`,
      `    title: Flow ${i}`,
      `    steps: [role-${i}, {role: role-${(i + 1) % roles}, count: 2}, dba]`,
    );
  }
  flowLines.push('assignments:');
  const sources = ['ddl', 'dml', 'create-database'];
  const levels = ['high', 'moderate', 'low'];
  for (const [i, s] of sources.entries()) {
    for (const [j, l] of levels.entries())
      flowLines.push(`  - {source: ${s}, level: ${l}, flow: flow-${i * 3 + j}}`);
  }
  const envLines = [
    'environments:',
    '  - {id: test, order: 1, rollout: automatic}',
    '  - {id: prod, order: 2, rollout: manual, tag: "prod/*", rolloutRoles: [dba]}',
    'databases:',
  ];
  for (let i = 0; i < 50; i++)
    envLines.push(`  - {name: db_${i}, environment: ${i % 2 ? 'prod' : 'test'}, urlEnv: DB_${i}_URL}`);
  const ruleLines = ['rules:'];
  const types = ['DROP_TABLE', 'ALTER_TABLE', 'DELETE', 'UPDATE', 'CREATE_INDEX', 'TRUNCATE'];
  for (let i = 0; i < rules; i++) {
    ruleLines.push(
      `  - title: Rule ${i}`,
      `    source: ${i % 3 === 0 ? 'dml' : 'ddl'}`,
      `    level: ${levels[i % 3]}`,
      '    when:',
      `      environment: ${i % 2 ? 'prod' : 'test'}`,
      `      database: db_${i % 50}`,
      '      any:',
      `        - statementType: [${types[i % types.length]}, ${types[(i + 1) % types.length]}]`,
      `        - {affectedRows: {gt: ${i * 10}}, table: "orders_*"}`,
    );
  }
  return {
    roles: roleLines.join('\n'),
    approval: flowLines.join('\n'),
    environments: envLines.join('\n'),
    risk: ruleLines.join('\n'),
  };
}

export async function benchPolicyLoad(): Promise<void> {
  const texts = generatePolicy();
  const check = loadPolicies(texts);
  if (!check.ok)
    throw new Error(
      check.errors
        .slice(0, 5)
        .map((e) => e.format())
        .join('\n'),
    );
  const bytes = Object.values(texts).reduce((n, t) => n + (t?.length ?? 0), 0);
  const runs = 30;
  const bare = await median(runs, () => Object.values(texts).map((t) => parse(t as string)));
  const full = await median(runs, () => loadPolicies(texts));
  report('policy load: 1,000 rules, 200 roles, 100 flows', [
    ['input', `${(bytes / 1024).toFixed(0)} KiB of YAML`],
    ['yaml.parse only (reference)', ms(bare)],
    ['loadPolicies (parse + positions + schema + cross-checks)', ms(full)],
    ['ratio loadPolicies / yaml.parse', `${(full / bare).toFixed(2)}x`],
  ]);
}

if (import.meta.url === `file://${process.argv[1]}`) await benchPolicyLoad();
