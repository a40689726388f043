// What a reviewer reads in the PR comment: a flow diagram legible in both GitHub themes, and what
// the merge and the tag will do once the flow is satisfied.
import { describe, expect, it } from 'vitest';
import { evaluateApprovals } from '../../src/approval/evaluate.js';
import type { Review } from '../../src/approval/types.js';
import type { PlanResult } from '../../src/plan/plan.js';
import { loadPolicies } from '../../src/policy/load.js';
import type { Policy } from '../../src/policy/types.js';
import { commentMarkdown } from '../../src/report/markdown.js';
import { classifyByKeywords } from '../../src/sql/classify.js';
import { buildFacts } from '../../src/sql/facts.js';
import { type MigrationName, parseMigrationName } from '../../src/sql/migration-name.js';
import { seedTexts } from '../policy/seed-texts.js';
import { planFrom } from '../support/seed-plan.js';

function policyOf(environments?: string): Policy {
  const other = environments ? { environments, risk: 'unparsedLevel: high\n' } : {};
  const loaded = loadPolicies({ ...seedTexts(), ...other });
  if (!loaded.ok) throw new Error(loaded.errors.map((e) => e.format()).join('\n'));
  return loaded.policy;
}

function planOf(policy: Policy, sql: string): PlanResult {
  const migration = parseMigrationName('migrations/test_db/1.1.0_change.sql') as MigrationName;
  const statements = [
    {
      index: 0,
      start: { line: 1, column: 1 },
      end: { line: 1, column: sql.length },
      preview: sql,
      bytes: sql.length,
      facts: buildFacts(sql, classifyByKeywords(sql), undefined, { ok: true, via: 'ast' as const }),
    },
  ];
  return planFrom(policy, [{ migration, statements }]);
}

function comment(plan: PlanResult, approvers: string[]): string {
  const reviews: Review[] = approvers.map((user, i) => ({
    id: i + 1,
    user,
    state: 'APPROVED',
    submittedAt: `2026-11-25T10:0${i}:00Z`,
    commitId: 'b'.repeat(40),
  }));
  const approvals = plan.flows.map((f) =>
    evaluateApprovals({
      flow: f.flow,
      roles: plan.policy.roles,
      teams: new Map(),
      author: 'devon',
      contributors: [],
      reviews,
      headSha: 'b'.repeat(40),
      staleApprovals: 'on-sql-change',
      fingerprintAt: () => 'same',
    }),
  );
  return commentMarkdown({ plan, approvals });
}

const DDL = 'ALTER TABLE t1 ADD COLUMN email VARCHAR(100)';

describe('the PR comment a reviewer reads', () => {
  it('gives every filled node of the flow diagram its own text colour, for GitHub dark mode', () => {
    const md = comment(planOf(policyOf(), DDL), ['tom']);
    const diagram = md.slice(md.indexOf('```mermaid'), md.indexOf('```', md.indexOf('```mermaid') + 3));
    const styled = diagram.split('\n').filter((l) => /fill:/.test(l));
    expect(styled.length).toBeGreaterThan(0);
    for (const line of styled) expect(line).toMatch(/color:#[0-9a-f]{6}/);
  });

  it('says what happens next once the flow is satisfied, from the environments policy', () => {
    const plan = planOf(policyOf(), DDL);
    expect(comment(plan, ['tom', 'olivia'])).not.toContain('### What happens next');
    const md = comment(plan, ['tom', 'olivia', 'dana']);
    expect(md).toContain(
      [
        '### What happens next',
        '',
        '1. Merging this PR deploys **Test** automatically.',
        '2. **Prod** is deployed when a member of Workspace Owner, Project Owner or DBA pushes a tag matching `prod/*` on a commit of the default branch.',
      ].join('\n'),
    );
  });

  it('names the environments, tags and roles the policy defines, not the seed’s', () => {
    const policy = policyOf(
      'environments:\n  - {id: staging, title: Staging, order: 1, rollout: automatic}\n  - {id: live, title: Live, order: 2, rollout: manual, tag: "release/*", rolloutRoles: [dba]}\ndatabases:\n  - {name: test_db, environment: staging, urlEnv: A}\n  - {name: test_db, environment: live, urlEnv: B}\n',
    );
    const md = comment(planOf(policy, 'INSERT INTO t1 VALUES (1)'), []);
    expect(md).toContain('1. Merging this PR deploys **Staging** automatically.');
    expect(md).toContain(
      '2. **Live** is deployed when a member of DBA pushes a tag matching `release/*` on a commit of the default branch.',
    );
  });
});
