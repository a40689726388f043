// The PR comment's sections for a pull request that edits the policies: the base branch's policy
// tests run against the PR's policies, and what the change would have done to landed migrations.
import type { PolicyChangeReview } from '../whatif/policy-change.js';
import { policyTestsMarkdown } from './policy-tests.js';
import { whatIfMarkdown } from './whatif.js';

export const WHATIF_COMMENT_ROWS = 20;

export function policyChangeMarkdown(review: PolicyChangeReview, policiesDir: string): string[] {
  const out = ["### Policy tests: the base branch's tests against this PR's policies", ''];
  if (!review.tests) {
    out.push(
      `The base branch has no policy tests (\`${policiesDir}/tests/*.yaml\`); see \`sqlgate test\`.`,
      '',
    );
  } else if ('errors' in review.tests) {
    out.push("❌ The base branch's test files cannot be read:", '');
    for (const e of review.tests.errors) out.push(`- \`${e.format()}\``);
    out.push('');
  } else {
    const { run } = review.tests;
    if (run.failed === 0) out.push(`✅ ${run.passed} passed, 0 failed`, '');
    else out.push(...policyTestsMarkdown(run));
  }
  out.push(...whatIfMarkdown(review.whatIf, { limit: WHATIF_COMMENT_ROWS }));
  return out;
}
