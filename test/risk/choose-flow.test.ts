// Flow choice on its own: which assignment a PR's highest (source, level) pairs select.
import { describe, expect, it } from 'vitest';
import { loadPolicies } from '../../src/policy/load.js';
import type { Policy, RiskLevel } from '../../src/policy/types.js';
import { chooseFlow } from '../../src/risk/evaluate.js';
import type { ChangeSource } from '../../src/sql/statement-types.js';
import { seedTexts } from '../policy/seed-texts.js';

const FLOWS = `flows:
  - {id: dba-only, title: DBA, steps: [dba]}
  - {id: owner-then-dba, title: Project Owner → DBA, steps: [project-owner, dba]}
  - {id: tester-owner-dba, title: Tester → Project Owner → DBA, steps: [tester, project-owner, dba]}
`;

function policyWith(assignments: string): Policy {
  const result = loadPolicies({ ...seedTexts(), approval: `${FLOWS}assignments:\n${assignments}` });
  if (!result.ok) throw new Error(result.errors.map((e) => e.format()).join('\n'));
  return result.policy;
}

type Levels = Partial<Record<ChangeSource, RiskLevel>>;

describe('flow choice', () => {
  it.each<[string, string, Levels, string | undefined]>([
    ['no assignment: no flow', '  []\n', { ddl: 'high' }, undefined],
    ['no risk: no flow', '  - {source: ddl, level: low, flow: dba-only}\n', { ddl: 'none' }, undefined],
    [
      'the assignment of the reached pair',
      '  - {source: ddl, level: high, flow: tester-owner-dba}\n',
      { ddl: 'high' },
      'tester-owner-dba',
    ],
    [
      'a level below every assignment of its source needs nothing',
      '  - {source: ddl, level: high, flow: tester-owner-dba}\n',
      { ddl: 'moderate' },
      undefined,
    ],
    [
      'assignments are minimum bars: a high DDL needs the flow assigned to moderate DDL',
      '  - {source: ddl, level: moderate, flow: owner-then-dba}\n',
      { ddl: 'high' },
      'owner-then-dba',
    ],
    [
      'the highest assigned level wins over a lower one of the same source',
      '  - {source: ddl, level: low, flow: dba-only}\n  - {source: ddl, level: high, flow: tester-owner-dba}\n',
      { ddl: 'high' },
      'tester-owner-dba',
    ],
    [
      'the highest level wins across sources',
      '  - {source: ddl, level: moderate, flow: owner-then-dba}\n  - {source: dml, level: high, flow: dba-only}\n',
      { ddl: 'high', dml: 'high' },
      'dba-only',
    ],
    [
      'within one level, ddl comes before dml',
      '  - {source: dml, level: high, flow: dba-only}\n  - {source: ddl, level: high, flow: owner-then-dba}\n',
      { ddl: 'high', dml: 'high' },
      'owner-then-dba',
    ],
    [
      'a source the PR does not touch selects nothing',
      '  - {source: create-database, level: low, flow: dba-only}\n',
      { ddl: 'high' },
      undefined,
    ],
  ])('%s', (_name, assignments, levels, expected) => {
    const choice = chooseFlow(policyWith(assignments), levels);
    expect(choice?.flow.id).toBe(expected);
  });

  it('says which source and assigned level selected the flow', () => {
    const choice = chooseFlow(policyWith('  - {source: ddl, level: moderate, flow: owner-then-dba}\n'), {
      ddl: 'high',
    });
    expect(choice).toMatchObject({ source: 'ddl', level: 'moderate' });
  });
});
