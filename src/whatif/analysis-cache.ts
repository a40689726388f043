// Analysis results by content hash, for one run. Replaying history under two policies, or many
// policy tests over the same SQL, analyses each distinct text once: the risk evaluation is cheap,
// the parse is not.
import { createHash } from 'node:crypto';
import { type AnalysedStatement, analyseSql, type StatementParser } from '../sql/analyse.js';

export type Analyse = (text: string) => Promise<readonly AnalysedStatement[]>;

export interface AnalysisCache {
  readonly analyse: Analyse;
  /** Distinct texts analysed so far (cache misses). */
  readonly analysed: () => number;
  /** Texts answered from the cache. */
  readonly hits: () => number;
}

export function analysisCache(parser: StatementParser): AnalysisCache {
  const byHash = new Map<string, Promise<readonly AnalysedStatement[]>>();
  let hits = 0;
  return {
    analyse(text) {
      const key = createHash('sha256').update(text).digest('hex');
      const known = byHash.get(key);
      if (known) {
        hits++;
        return known;
      }
      const result = analyseSql(text, parser);
      byHash.set(key, result);
      return result;
    },
    analysed: () => byHash.size,
    hits: () => hits,
  };
}
