import { describe, expect, it } from 'vitest';
import { loadPolicies } from '../../src/policy/load.js';
import { seedTexts } from './seed-texts.js';

describe('loadPolicies', () => {
  it('loads the seed scenario policies into frozen, typed objects', () => {
    const result = loadPolicies(seedTexts());
    if (!result.ok) throw new Error(result.errors.map((e) => e.format()).join('\n'));
    const { policy } = result;
    expect(policy.roles.find((r) => r.id === 'tester')).toMatchObject({
      title: 'Tester',
      builtin: false,
      members: ['tom'],
    });
    expect(policy.approval.flows.map((f) => [f.id, f.steps.map((s) => s.role)])).toEqual([
      ['owner-then-dba', ['project-owner', 'dba']],
      ['tester-owner-dba', ['tester', 'project-owner', 'dba']],
    ]);
    expect(policy.approval.assignments).toEqual([{ source: 'ddl', level: 'high', flow: 'tester-owner-dba' }]);
    expect(policy.environments.map((e) => [e.id, e.rollout])).toEqual([
      ['test', 'automatic'],
      ['prod', 'manual'],
    ]);
    expect(policy.risk.rules[0]).toMatchObject({
      title: 'DDL on Prod is High',
      level: 'high',
      when: { kind: 'facts', facts: { environment: 'prod' } },
      at: { file: 'policies/risk-rules.yaml', line: 5 },
    });
    expect(Object.isFrozen(policy.approval.flows[0]?.steps)).toBe(true);
    expect(() => (policy.roles as unknown[]).push({})).toThrow();
  });

  it('reports a missing environments.yaml by name', () => {
    const { environments: _, ...rest } = seedTexts();
    const result = loadPolicies(rest);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => e.format())).toEqual([
      'policies/environments.yaml: file not found; sqlgate needs it: a mapping with `environments:` and `databases:`',
    ]);
  });

  it('uses built-in roles, Bytebase presets and no approval when only environments.yaml exists', () => {
    const result = loadPolicies({ environments: seedTexts().environments as string });
    if (!result.ok) throw new Error(result.errors.map((e) => e.format()).join('\n'));
    expect(result.policy.roles.map((r) => r.id)).toEqual([
      'workspace-owner',
      'dba',
      'project-owner',
      'developer',
    ]);
    expect(result.policy.risk).toMatchObject({ preset: 'bytebase', unparsedLevel: 'high', rules: [] });
    expect(result.policy.approval.assignments).toEqual([]);
    expect(result.policy.approval.policyChangeFlow.steps).toEqual([{ role: 'workspace-owner', count: 1 }]);
  });

  it('reports every error of a load, in file order, not just the first', () => {
    const texts = {
      ...seedTexts(),
      roles: 'roles:\n  - id: qa\n    members: [q]\n  - id: qa\n    title: QA\n',
      approval:
        'flows:\n  - id: f\n    title: F\n    steps: [nobody, dba]\nassignments:\n  - {source: ddl, level: high, flow: g}\n',
    };
    const result = loadPolicies(texts);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => e.format())).toEqual([
      'policies/approval-flows.yaml:4:13: step "nobody" is not a role; known roles: qa, workspace-owner, dba, project-owner, developer',
      'policies/approval-flows.yaml:6:38: flow "g" does not exist; known flows: f',
      'policies/roles.yaml:2:5: custom role "qa" needs a title (the name shown in PR comments)',
      'policies/roles.yaml:4:9: role "qa" is declared twice (first as item 1)',
    ]);
  });

  it('turns nested all/any/not conditions into a condition tree', () => {
    const texts = {
      ...seedTexts(),
      risk: [
        'rules:',
        '  - title: Unbounded writes on Prod',
        '    source: dml',
        '    level: high',
        '    when:',
        '      environment: prod',
        '      any:',
        '        - statementType: [UPDATE, DELETE]',
        '          hasWhere: false',
        '        - not: {affectedRows: {lt: 1000}}',
      ].join('\n'),
    };
    const result = loadPolicies(texts);
    if (!result.ok) throw new Error(result.errors.map((e) => e.format()).join('\n'));
    expect(result.policy.risk.rules[0]?.when).toEqual({
      kind: 'all',
      of: [
        { kind: 'facts', facts: { environment: 'prod' } },
        {
          kind: 'any',
          of: [
            { kind: 'facts', facts: { statementType: ['UPDATE', 'DELETE'], hasWhere: false } },
            { kind: 'not', of: { kind: 'facts', facts: { affectedRows: { lt: 1000 } } } },
          ],
        },
      ],
    });
  });
});
