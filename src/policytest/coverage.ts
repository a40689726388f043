// Which rules and flows no policy test exercises: a rule nothing matches in any case, or a flow
// no case needs, is policy that has never been seen to work.
import { Diagnostic } from '../errors.js';
import type { Policy } from '../policy/types.js';
import type { PolicyTestRun } from './run.js';

/** One diagnostic per rule and flow no case exercises, each where it is declared. */
export function unexercised(policy: Policy, run: PolicyTestRun): Diagnostic[] {
  const hits = run.results.flatMap((r) => r.actual?.rules ?? []);
  const ruleKey = (at: { file: string; line: number }, title: string) => `${at.file}:${at.line}:${title}`;
  const matched = new Set(hits.map((h) => ruleKey(h.at, h.title)));
  const needed = new Set(run.results.flatMap((r) => r.actual?.flows.map((f) => f.flow.id) ?? []));
  const out: Diagnostic[] = [];
  for (const rule of policy.risk.rules) {
    if (!matched.has(ruleKey(rule.at, rule.title)))
      out.push(
        new Diagnostic(
          rule.at.file,
          rule.at.line,
          rule.at.column,
          `rule "${rule.title}" is not exercised by any policy test`,
        ),
      );
  }
  for (const flow of policy.approval.flows) {
    if (needed.has(flow.id)) continue;
    const at = flow.at ?? { file: 'approval-flows.yaml', line: 0, column: 0 };
    out.push(
      new Diagnostic(at.file, at.line, at.column, `flow "${flow.id}" is not needed by any policy test`),
    );
  }
  return out;
}
