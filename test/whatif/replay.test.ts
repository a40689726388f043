import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { ParserPool } from '../../src/parser/pool.js';
import { loadPolicies, type PolicyTexts } from '../../src/policy/load.js';
import type { Policy } from '../../src/policy/types.js';
import type { StatementParser } from '../../src/sql/analyse.js';
import { analysisCache } from '../../src/whatif/analysis-cache.js';
import { type LandedChange, replayHistory } from '../../src/whatif/replay.js';
import { REPO_ROOT } from '../policy/seed-texts.js';

const fixture = (name: string) => readFileSync(`${REPO_ROOT}examples/seed/policies/${name}`, 'utf8');
function policy(overrides: PolicyTexts = {}): Policy {
  const loaded = loadPolicies({
    roles: fixture('roles.yaml'),
    risk: fixture('risk-rules.yaml'),
    approval: fixture('approval-flows.yaml'),
    environments: fixture('environments.yaml'),
    ...overrides,
  });
  if (!loaded.ok) throw new Error(loaded.errors.map((e) => e.format()).join('\n'));
  return loaded.policy;
}
const LOWER = {
  risk: 'rules:\n  - {title: DDL on Prod is Moderate, source: ddl, level: moderate, when: {environment: prod}}\npreset: none\n',
};

function change(n: number, sql: string): LandedChange {
  return {
    commit: String(n).padStart(40, '0'),
    date: '2026-11-01T00:00:00Z',
    attribution: { pr: n, how: 'squash', title: `change ${n}` },
    files: [{ path: `migrations/test_db/${n}.0.0_change.sql`, text: sql }],
  };
}

const pool = new ParserPool({ workers: 1 });
afterAll(() => pool.close());

describe('what-if replay', () => {
  it('analyses each distinct migration text once, however many policies and changes replay it', async () => {
    let parsed = 0;
    const counting: StatementParser = {
      parse: (requests) => {
        parsed += requests.length;
        return pool.parse(requests);
      },
    };
    const cache = analysisCache(counting);
    const same = 'ALTER TABLE t1 ADD COLUMN a INT;\nALTER TABLE t1 ADD COLUMN b INT;\n';
    const report = await replayHistory({
      changes: [change(3, same), change(2, same), change(1, 'DROP TABLE t0;\n')],
      current: policy(),
      proposed: policy(LOWER),
      analyse: cache.analyse,
      migrationsDir: 'migrations',
    });
    expect(report.changed.map((d) => [d.change.attribution.pr, d.current.level, d.proposed.level])).toEqual([
      [3, 'high', 'moderate'],
      [2, 'high', 'moderate'],
      [1, 'high', 'moderate'],
    ]);
    expect(parsed).toBe(3);
    expect([cache.analysed(), cache.hits()]).toEqual([2, 1]);
  });

  it('stops starting new changes when the time budget runs out, newest first, and says how far it got', async () => {
    let now = 0;
    const report = await replayHistory({
      changes: [1, 2, 3, 4, 5].map((n) => change(6 - n, 'DROP TABLE t0;\n')),
      current: policy(),
      proposed: policy(LOWER),
      analyse: analysisCache(pool).analyse,
      migrationsDir: 'migrations',
      budgetMs: 25,
      clock: () => {
        now += 10;
        return now;
      },
    });
    expect(report.cut).toEqual({ reason: 'time-budget', budgetMs: 25 });
    expect([report.replayed, report.total]).toEqual([2, 5]);
    expect(report.changed.map((d) => d.change.attribution.pr)).toEqual([5, 4]);
  });

  it('skips files whose names are not migrations, naming them', async () => {
    const bad: LandedChange = {
      ...change(9, 'DROP TABLE t0;'),
      files: [{ path: 'migrations/test_db/drop.sql', text: 'DROP TABLE t0;' }],
    };
    const report = await replayHistory({
      changes: [bad],
      current: policy(),
      proposed: policy(LOWER),
      analyse: analysisCache(pool).analyse,
      migrationsDir: 'migrations',
    });
    expect(report.changed).toEqual([]);
    expect(report.skipped[0]?.path).toBe('migrations/test_db/drop.sql');
    expect(report.skipped[0]?.reason).toMatch(/^bad migration file name "drop.sql"/);
  });
});
