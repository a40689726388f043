// `sqlgate whatif` output and the PR comment's "What this policy change would have changed":
// one line per landed PR or commit whose level or flow changes, then counts per kind of change.
import type { ChangeDiff, PastReviewVerdict, PolicyOutcome, WhatIfReport } from '../whatif/replay.js';

export const WHATIF_JSON_VERSION = 1;

export function changeName(d: ChangeDiff): string {
  const a = d.change.attribution;
  return a.pr !== undefined ? `PR #${a.pr}` : `commit ${d.change.commit.slice(0, 7)}`;
}

const flowId = (o: PolicyOutcome) => o.flow?.id ?? 'none';

/** "PR #41 (drop legacy): high → moderate; flow tester-owner-dba → owner-then-dba" */
export function changeLine(d: ChangeDiff): string {
  const level = d.levelChanged
    ? `${d.current.level} → ${d.proposed.level}`
    : `${d.current.level} (unchanged)`;
  const flow = d.flowChanged
    ? `; flow ${flowId(d.current)} → ${flowId(d.proposed)}`
    : `; flow ${flowId(d.current)}`;
  return `${changeName(d)} (${d.change.attribution.title}): ${level}${flow}`;
}

const duration = (ms: number) => (ms < 1000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`);

function cutNote(r: WhatIfReport): string | undefined {
  if (!r.cut) return undefined;
  const why =
    r.cut.reason === 'time-budget'
      ? `the time budget of ${duration(r.cut.budgetMs ?? 0)} ran out`
      : `limited to the last ${r.cut.limit}`;
  return `only the newest ${r.replayed} of ${r.total} landed changes were replayed (${why}); older ones may change too`;
}

export function summaryText(r: WhatIfReport): string {
  const counts = r.counts.map((c) => `${c.what}: ${c.count}`).join(', ');
  return `${r.changed.length} of ${r.replayed} landed change${r.replayed === 1 ? '' : 's'} would change${counts ? `: ${counts}` : ''}`;
}

export function whatIfText(
  r: WhatIfReport,
  header: string,
  pastReviews: readonly PastReviewVerdict[] = [],
): string {
  const out = [header, ''];
  if (r.changed.length === 0) out.push('No landed change would get another level or flow.');
  for (const d of r.changed) {
    out.push(changeLine(d));
    for (const f of d.files) out.push(`    ${f.path}: ${f.current} → ${f.proposed}`);
  }
  const past = pastReviews.filter((p) => !p.approved);
  if (pastReviews.length > 0) {
    out.push(
      '',
      `Past reviews under the proposed flows: ${past.length} of ${pastReviews.length} PRs would not have been approved`,
    );
    for (const p of past) out.push(`  PR #${p.pr}: ${p.flow}: ${p.summary}`);
  }
  for (const s of r.skipped) out.push(`skipped ${s.path}: ${s.reason}`);
  const note = cutNote(r);
  out.push('', ...(note ? [`note: ${note}`] : []), summaryText(r));
  return out.join('\n');
}

function outcomeJson(o: PolicyOutcome) {
  return { level: o.level, levelBySource: o.levelBySource, flow: o.flow?.id ?? null };
}

export function whatIfJson(
  r: WhatIfReport,
  context: { base: { ref: string; commit: string }; proposed: string },
  pastReviews: readonly PastReviewVerdict[] = [],
) {
  return {
    version: WHATIF_JSON_VERSION,
    base: context.base,
    proposed: context.proposed,
    total: r.total,
    replayed: r.replayed,
    files: r.files,
    cut: r.cut ?? null,
    changes: r.changed.map((d) => ({
      pr: d.change.attribution.pr ?? null,
      commit: d.change.commit,
      landed: d.change.attribution.how,
      title: d.change.attribution.title,
      current: outcomeJson(d.current),
      proposed: outcomeJson(d.proposed),
      files: d.files,
    })),
    counts: r.counts,
    pastReviews,
    skipped: r.skipped,
  };
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

/** A Markdown section: the first `limit` changes as a table, counts for the rest. */
export function whatIfMarkdown(
  r: WhatIfReport,
  options: { heading?: string; limit?: number; pastReviews?: readonly PastReviewVerdict[] } = {},
): string[] {
  const limit = options.limit ?? r.changed.length;
  const out = [`### ${options.heading ?? 'What this policy change would have changed'}`, ''];
  out.push(
    `Replayed ${r.replayed} landed change${r.replayed === 1 ? '' : 's'} (${r.files} migration file${r.files === 1 ? '' : 's'}) under the current and the proposed policies.`,
    '',
  );
  const note = cutNote(r);
  if (note) out.push(`> ⚠️ Cut short: ${note}.`, '');
  if (r.changed.length === 0) {
    out.push('No landed change would get another level or flow.', '');
    return out;
  }
  out.push('| Change | Level | Flow |', '| --- | --- | --- |');
  for (const d of r.changed.slice(0, limit)) {
    const level = d.levelChanged ? `${d.current.level} → **${d.proposed.level}**` : d.current.level;
    const flow = d.flowChanged ? `${flowId(d.current)} → **${flowId(d.proposed)}**` : flowId(d.current);
    out.push(`| ${changeName(d)} ${cell(d.change.attribution.title)} | ${level} | ${flow} |`);
  }
  const rest = r.changed.length - limit;
  if (rest > 0) out.push('', `… and ${rest} more change${rest === 1 ? '' : 's'}.`);
  out.push('', `**In all:** ${r.counts.map((c) => `${c.what}: ${c.count}`).join('; ')}.`, '');
  const past = (options.pastReviews ?? []).filter((p) => !p.approved);
  if (past.length > 0) {
    out.push('**Past PRs the reviews they got would not have approved under the proposed flows:**', '');
    for (const p of past) out.push(`- PR #${p.pr}: ${p.flow}: ${cell(p.summary)}`);
    out.push('');
  }
  return out;
}
