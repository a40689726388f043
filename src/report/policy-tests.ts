// `sqlgate test` output: one line per case like a unit-test runner, a diff of expected and actual
// under each failed case, and the summary line `N passed, N failed`.
import type { CaseResult, PolicyTestRun } from '../policytest/run.js';

export const POLICY_TESTS_JSON_VERSION = 1;

export function summaryLine(run: PolicyTestRun): string {
  return `${run.passed} passed, ${run.failed} failed`;
}

function failureLines(r: CaseResult, indent: string): string[] {
  const out = [`${indent}at ${r.case.at.format().replace(/: $/, '')}`];
  for (const m of r.mismatches) {
    out.push(`${indent}- expected ${m.what}: ${m.expected}`, `${indent}+ actual   ${m.what}: ${m.actual}`);
    for (const why of m.because) out.push(`${indent}    ${why}`);
  }
  return out;
}

export function policyTestsText(run: PolicyTestRun): string {
  const out: string[] = [];
  let file = '';
  for (const r of run.results) {
    if (r.case.at.file !== file) {
      file = r.case.at.file;
      out.push(file);
    }
    out.push(`  ${r.passed ? '✓' : '✗'} ${r.case.name}`);
    if (!r.passed) out.push(...failureLines(r, '      '));
  }
  out.push('', summaryLine(run));
  return out.join('\n');
}

export function policyTestsJson(run: PolicyTestRun) {
  return {
    version: POLICY_TESTS_JSON_VERSION,
    passed: run.passed,
    failed: run.failed,
    cases: run.results.map((r) => ({
      name: r.case.name,
      file: r.case.at.file,
      line: r.case.at.line,
      column: r.case.at.column,
      passed: r.passed,
      actual: r.actual
        ? {
            level: r.actual.level,
            levels: r.actual.levels,
            flows: r.actual.flows.map((f) => f.flow.id),
            status: r.actual.status,
            waiting: r.actual.waiting,
            rules: [...new Set(r.actual.rules.map((h) => h.title))],
            notCounted: r.actual.approvals.flatMap((a) =>
              a.ignored.map((x) => ({
                flow: a.flow.id,
                login: x.login,
                reason: x.reason,
                explanation: x.explanation,
              })),
            ),
          }
        : null,
      mismatches: r.mismatches,
    })),
  };
}

/** Failed cases for the PR comment, as a Markdown list (at most `limit` of them). */
export function policyTestsMarkdown(run: PolicyTestRun, limit = 20): string[] {
  const failed = run.results.filter((r) => !r.passed);
  const out = [`❌ ${summaryLine(run)}`, ''];
  for (const r of failed.slice(0, limit)) {
    out.push(`- ❌ **${r.case.name}** (\`${r.case.at.file}:${r.case.at.line}\`)`);
    for (const m of r.mismatches) {
      out.push(`  - ${m.what}: expected \`${m.expected}\`, actual \`${m.actual}\``);
      for (const why of m.because.slice(0, 3)) out.push(`    - ${why.replace(/\|/g, '\\|')}`);
    }
  }
  if (failed.length > limit) out.push(`- … and ${failed.length - limit} more failed cases`);
  out.push('');
  return out;
}
