// Three-valued evaluation of rule conditions. A numeric fact that could not be measured is
// `unknown`, and unknown propagates (not unknown = unknown) so a rule that might hold is taken
// to hold: sqlgate fails closed instead of guessing that a DELETE touches few rows.
import { matchesGlob } from '../policy/glob.js';
import type { Comparison, Condition, Matcher } from '../policy/types.js';
import type { FactValue, StatementContext } from './context.js';
import { FACTS } from './facts/index.js';

export type Truth = 'true' | 'false' | 'unknown';

export interface ConditionResult {
  readonly truth: Truth;
  /** Facts whose unknown value the result depends on. */
  readonly unknown: readonly string[];
}

const TRUE: ConditionResult = { truth: 'true', unknown: [] };
const FALSE: ConditionResult = { truth: 'false', unknown: [] };

function isComparison(m: Matcher): m is Comparison {
  return typeof m === 'object' && !Array.isArray(m);
}

export function matchFact(matcher: Matcher, value: FactValue): Truth {
  switch (value.kind) {
    case 'n/a':
      return 'false';
    case 'unknown':
      return 'unknown';
    case 'text': {
      const patterns = (Array.isArray(matcher) ? matcher : [matcher]).map(String);
      return value.values.some((v) => patterns.some((p) => matchesGlob(v, p))) ? 'true' : 'false';
    }
    case 'boolean':
      return matcher === value.value ? 'true' : 'false';
    case 'number': {
      const n = value.value;
      if (isComparison(matcher)) {
        const holds =
          (matcher.gt === undefined || n > matcher.gt) &&
          (matcher.gte === undefined || n >= matcher.gte) &&
          (matcher.lt === undefined || n < matcher.lt) &&
          (matcher.lte === undefined || n <= matcher.lte);
        return holds ? 'true' : 'false';
      }
      const values = Array.isArray(matcher) ? matcher : [matcher];
      return values.includes(n) ? 'true' : 'false';
    }
  }
}

function all(results: readonly ConditionResult[]): ConditionResult {
  if (results.some((r) => r.truth === 'false')) return FALSE;
  const unknown = results.filter((r) => r.truth === 'unknown');
  return unknown.length > 0
    ? { truth: 'unknown', unknown: [...new Set(unknown.flatMap((r) => r.unknown))] }
    : TRUE;
}

function any(results: readonly ConditionResult[]): ConditionResult {
  if (results.some((r) => r.truth === 'true')) return TRUE;
  const unknown = results.filter((r) => r.truth === 'unknown');
  return unknown.length > 0
    ? { truth: 'unknown', unknown: [...new Set(unknown.flatMap((r) => r.unknown))] }
    : FALSE;
}

export function evaluateCondition(condition: Condition, context: StatementContext): ConditionResult {
  switch (condition.kind) {
    case 'facts':
      return all(
        Object.entries(condition.facts).map(([name, matcher]) => {
          const fact = FACTS.get(name);
          // The loader only accepts known facts; an unknown one here is a programming error.
          if (!fact) throw new Error(`unknown fact "${name}"`);
          const truth = matchFact(matcher, fact.read(context));
          return truth === 'unknown' ? { truth, unknown: [name] } : truth === 'true' ? TRUE : FALSE;
        }),
      );
    case 'all':
      return all(condition.of.map((c) => evaluateCondition(c, context)));
    case 'any':
      return any(condition.of.map((c) => evaluateCondition(c, context)));
    case 'not': {
      const inner = evaluateCondition(condition.of, context);
      if (inner.truth === 'unknown') return inner;
      return inner.truth === 'true' ? FALSE : TRUE;
    }
  }
}
