// Annotations: the SQL lines that raised a PR's risk (one per line, at its highest level) and the
// located diagnostics that stopped it. The Action hands them to the runner as they are.
import type { Diagnostic } from '../errors.js';
import type { PlanResult } from '../plan/plan.js';

export interface Annotation {
  readonly level: 'error' | 'warning';
  readonly message: string;
  readonly file: string;
  readonly startLine?: number;
  readonly endLine?: number;
  readonly startColumn?: number;
  readonly title?: string;
}

export function riskAnnotations(result: PlanResult): Annotation[] {
  const seen = new Map<
    string,
    { level: 'moderate' | 'high'; message: string; file: string; line: number; endLine: number }
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
  // Risk is not a mistake in the file: a red "Error" on an expected, approved change would teach
  // reviewers to ignore the colour. Errors are kept for things that are wrong (bad input).
  return [...seen.values()].map((a) => ({
    level: 'warning',
    message: a.message,
    file: a.file,
    startLine: a.line,
    endLine: a.endLine,
    title: `sqlgate: ${a.level} risk`,
  }));
}

/** Line 0 means the whole file: the annotation then names only the file. */
export function diagnosticAnnotations(errors: readonly Diagnostic[]): Annotation[] {
  return errors.map((e) => ({
    level: 'error',
    message: e.message,
    file: e.file,
    ...(e.line > 0 ? { startLine: e.line, startColumn: e.column } : {}),
  }));
}
