// Kinds of change the policy lets through without a word: a source no rule rates stays at level
// none, and a source no assignment covers never needs approval at any level. Both can be meant,
// but a team that copied a policy rarely means them, so validate says so (a warning, exit 0).
import type { Diagnostic } from '../errors.js';
import { type ChangeSource, SOURCES } from '../sql/statement-types.js';
import type { Policy } from './types.js';
import { at, type YamlSource } from './yaml-source.js';

const WHAT: Record<ChangeSource, string> = {
  ddl: 'schema changes',
  dml: 'data changes',
  'create-database': 'new databases (create: true)',
};

export function uncoveredSources(
  policy: Policy,
  risk: YamlSource | undefined,
  approval: YamlSource | undefined,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const source of SOURCES) {
    // Only databases with `create: true` make create-database changes; otherwise there are none.
    if (source === 'create-database' && !policy.databases.some((d) => d.create)) continue;
    const rated = policy.risk.preset === 'bytebase' || policy.risk.rules.some((r) => r.source === source);
    if (!rated) {
      // Without a risk file the preset is in force, so `risk` is always there when nothing rates.
      if (risk)
        out.push(
          at(
            risk,
            risk.doc.has('preset') ? ['preset'] : ['rules'],
            `no rule rates ${WHAT[source]} (source ${source}), so they are level none and need no approval; add a rule for them, or drop preset: none to use Bytebase's`,
          ),
        );
      continue;
    }
    if (approval && !policy.approval.assignments.some((a) => a.source === source)) {
      out.push(
        at(
          approval,
          ['assignments'],
          `no assignment covers ${WHAT[source]} (source ${source}), so they need no approval at any level; assign a flow to (${source}, high) at least`,
          { key: true },
        ),
      );
    }
  }
  return out;
}
