// Annotations on the SQL lines that raised a PR's risk: one per line, at its highest level.
import * as core from '@actions/core';
import type { PlanResult } from '../plan/plan.js';

export function annotate(result: PlanResult): void {
  const seen = new Map<
    string,
    { level: string; message: string; file: string; line: number; endLine: number }
  >();
  for (const task of result.risk.tasks) {
    for (const st of task.statements) {
      if (st.level !== 'moderate' && st.level !== 'high') continue;
      const key = `${task.file}:${st.start.line}`;
      const rules = st.matches.filter((m) => m.level === st.level).map((m) => m.title);
      if (st.unparsed) rules.unshift(st.unparsed.explanation);
      const message = `${st.facts.type} is ${st.level} risk in ${task.environment}: ${rules.join('; ')}`;
      const earlier = seen.get(key);
      if (!earlier || (earlier.level === 'moderate' && st.level === 'high')) {
        seen.set(key, {
          level: st.level,
          message,
          file: task.file,
          line: st.start.line,
          endLine: st.end.line,
        });
      }
    }
  }
  for (const a of seen.values()) {
    const props = { file: a.file, startLine: a.line, endLine: a.endLine, title: `sqlgate: ${a.level} risk` };
    // Risk is not a mistake in the file: a red "Error" on an expected, approved change would teach
    // reviewers to ignore the colour. Errors are kept for things that are wrong (bad input).
    core.warning(a.message, props);
  }
}
