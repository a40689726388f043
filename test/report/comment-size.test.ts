import { describe, expect, it } from 'vitest';
import { evaluateApprovals } from '../../src/approval/evaluate.js';
import type { PlanResult } from '../../src/plan/plan.js';
import { loadPolicies } from '../../src/policy/load.js';
import { COMMENT_LIMIT, commentMarkdown } from '../../src/report/markdown.js';
import type { AnalysedStatement } from '../../src/sql/analyse.js';
import { classifyByKeywords } from '../../src/sql/classify.js';
import { buildFacts } from '../../src/sql/facts.js';
import { type MigrationName, parseMigrationName } from '../../src/sql/migration-name.js';
import { seedTexts } from '../policy/seed-texts.js';
import { planFrom } from '../support/seed-plan.js';

const loaded = loadPolicies(seedTexts());
if (!loaded.ok) throw new Error('seed policies do not load');
const policy = loaded.policy;

function statement(index: number, text: string): AnalysedStatement {
  return {
    index,
    start: { line: index + 1, column: 1 },
    end: { line: index + 1, column: text.length },
    preview: text,
    bytes: text.length,
    facts: buildFacts(text, classifyByKeywords(text), undefined, { ok: true, via: 'ast' }),
  };
}

function planOf(files: number, statementsPerFile: number): PlanResult {
  const migrations = Array.from({ length: files }, (_, f) => {
    const migration = parseMigrationName(
      `migrations/test_db/${1000 + f}_change_number_${f}.sql`,
    ) as MigrationName;
    const statements = Array.from({ length: statementsPerFile }, (_, i) =>
      statement(i, `ALTER TABLE table_${f}_${i} ADD COLUMN column_${i} VARCHAR(255) NOT NULL DEFAULT 'x'`),
    );
    return { migration, statements };
  });
  return planFrom(policy, migrations);
}

const approvalsOf = (plan: PlanResult) =>
  plan.flows.map((f) =>
    evaluateApprovals({
      flow: f.flow,
      roles: policy.roles,
      teams: new Map(),
      author: 'devon',
      contributors: [],
      reviews: [
        {
          id: 1,
          user: 'tom',
          state: 'APPROVED',
          submittedAt: '2026-11-25T10:00:00Z',
          commitId: 'b'.repeat(40),
        },
      ],
      headSha: 'b'.repeat(40),
      staleApprovals: 'on-sql-change',
      fingerprintAt: () => 'same',
    }),
  );

describe('the PR comment', () => {
  it('reads well for a PR of one file: risk, flow state, next approver, every statement', () => {
    const plan = planOf(1, 2);
    const body = commentMarkdown({ plan, approvals: approvalsOf(plan) });
    expect(body).toContain('## sqlgate: 🔴 High risk — ⏳ waiting for Project Owner (0 of 1)');
    expect(body).toContain('f0s0["1. Tester ✅<br/>approved by tom"]:::satisfied');
    expect(body).toContain('f0s1["2. Project Owner ⏳<br/>waiting (0 of 1)"]:::waiting');
    expect(body).toContain('**Next:** Project Owner — 1 more approval from @olivia');
    expect(body).toContain(
      '| `migrations/test_db/1000_change_number_0.sql` | Prod | 🔴 High | ALTER_TABLE | DDL on Prod is High |',
    );
    expect(body.match(/\| migrations\/test_db\/1000_change_number_0\.sql:\d+ \|/g)).toHaveLength(4);
    expect(body).not.toContain('more lower-risk task');
  });

  it('stays within GitHub 65,536-character limit for a PR of 500 files, and says what it left out', () => {
    const plan = planOf(500, 10);
    const body = commentMarkdown({
      plan,
      approvals: approvalsOf(plan),
      detailsUrl: 'https://github.com/acme/shop/actions/runs/9',
    });
    expect(body.length).toBeLessThanOrEqual(COMMENT_LIMIT);
    expect(body).toMatch(
      /… and \d+ more lower-risk tasks: see the \[full report\]\(https:\/\/github\.com\/acme\/shop\/actions\/runs\/9\)\./,
    );
    expect(body).toMatch(/… \d+ more statements in the job summary\./);
    // What is kept is the riskiest: every Prod task is high; the cut ones are Test's low tasks.
    expect(body).toContain('| Prod | 🔴 High |');
  });
});
