// A rehearsal as text (the CLI) and as Markdown (the PR comment), both read from the one report.
import type {
  MissingRollback,
  RehearsalReport,
  RehearsedDatabase,
  RehearsedFile,
  RoundTrip,
  SchemaMismatch,
  StatementFailure,
} from '../rehearsal/types.js';

export function seconds(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms * 10) / 10} ms`;
}

export function failureWords(f: StatementFailure): string {
  return `statement ${f.statement} (line ${f.line}): ${f.error}`;
}

export function mismatchWords(m: SchemaMismatch): string {
  return `${m.object}: before up ${m.before ?? '(none)'}; after down ${m.afterDown ?? '(none)'}`;
}

export function roundTripWords(r: RoundTrip): string {
  switch (r.state) {
    case 'matched':
      return `up → down → up with ${r.down}: the schema after down matches the schema before up`;
    case 'mismatched':
      return `up → down → up with ${r.down}: the schema after down differs from before up in ${r.mismatches.length} object${r.mismatches.length === 1 ? '' : 's'}`;
    case 'down-failed':
      return `down file ${r.down} failed at ${r.failure ? failureWords(r.failure) : 'an unknown statement'}`;
    case 'reapply-failed':
      return `after ${r.down}, the migration did not apply again: ${r.failure ? failureWords(r.failure) : ''}`;
  }
}

function fileTime(f: RehearsedFile): number {
  return f.statements.reduce((sum, s) => sum + s.ms, 0);
}

export function fileWords(f: RehearsedFile): string {
  if (f.outcome === 'not-run') return 'not run (an earlier migration or down file failed)';
  if (f.outcome === 'failed')
    return `failed at ${f.failure ? failureWords(f.failure) : 'an unknown statement'}`;
  const n = f.statements.length;
  return `applied, ${n} statement${n === 1 ? '' : 's'} in ${seconds(fileTime(f))}`;
}

function baseWords(d: RehearsedDatabase): string {
  const { base } = d;
  if (base.failure)
    return `the base branch's migrations do not apply: ${base.failure.path} ${failureWords(base.failure)}; the PR's were not tried`;
  return `base: ${base.files} migration${base.files === 1 ? '' : 's'} applied in ${seconds(base.ms)}`;
}

const ICON = { applied: '✓', failed: '✗', 'not-run': '·' } as const;

export function missingRollbackWords(m: MissingRollback): string {
  return `${m.file} is ${m.level} risk and has no down file ${m.downFile} (requireRollback: ${m.required} at ${m.rule.file}:${m.rule.line}:${m.rule.column})`;
}

export function rehearsalText(report: RehearsalReport, missing: readonly MissingRollback[]): string[] {
  const lines = [`rehearsal on ${report.server}`];
  for (const m of missing) lines.push(`✗ ${missingRollbackWords(m)}`);
  for (const d of report.databases) {
    lines.push(`${d.database} (scratch schema ${d.schema}): ${baseWords(d)}`);
    if (d.error) lines.push(`  ✗ ${d.error}`);
    for (const f of d.files) {
      const trip = f.roundTrip && f.roundTrip.state !== 'matched' ? '✗' : ICON[f.outcome];
      lines.push(`  ${trip} ${f.path}: ${fileWords(f)}`);
      for (const s of f.statements)
        lines.push(`      statement ${s.statement} (line ${s.line}): ${seconds(s.ms)}`);
      if (f.roundTrip) {
        lines.push(`      ${roundTripWords(f.roundTrip)}`);
        for (const m of f.roundTrip.mismatches) lines.push(`        ${mismatchWords(m)}`);
      }
    }
  }
  const state = missing.length > 0 ? 'failed' : report.state;
  lines.push(`rehearsal ${state} in ${seconds(report.ms)}`);
  return lines;
}

/** The rehearsal's verdict, or undefined when it passed (and nothing required is missing). */
export function rehearsalProblem(
  report: RehearsalReport | undefined,
  missing: readonly MissingRollback[],
): string | undefined {
  const first = missing[0];
  if (first) return `${first.file} has no down file (requireRollback: ${first.required})`;
  if (!report || report.state === 'passed') return undefined;
  for (const d of report.databases) {
    if (d.error) return `${d.database}: ${d.error}`;
    if (d.base.failure)
      return `the base does not apply: ${d.base.failure.path} ${failureWords(d.base.failure)}`;
    for (const f of d.files) {
      if (f.failure) return `${f.path} ${failureWords(f.failure)}`;
      if (f.roundTrip && f.roundTrip.state !== 'matched') return `${f.path}: ${roundTripWords(f.roundTrip)}`;
    }
  }
  return 'failed';
}

const MD_ICON = { applied: '✅', failed: '❌', 'not-run': '⏭️' } as const;
const MAX_ROWS = 60;

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** The comment's rehearsal section: per file, the outcome, its time and what went wrong. */
export function rehearsalMarkdown(
  report: RehearsalReport | undefined,
  missing: readonly MissingRollback[],
): string[] {
  if (!report && missing.length === 0) return [];
  const verdict = rehearsalProblem(report, missing) ? '❌ failed' : '✅ passed';
  const lines = [`### Rehearsal — ${verdict}`, ''];
  for (const m of missing) lines.push(`- ❌ ${cell(missingRollbackWords(m))}`);
  if (missing.length > 0) lines.push('');
  if (!report) return lines;
  lines.push(
    `On a throwaway schema per database (${report.server}): the base branch once, then the PR’s migrations with the deploy engine, in ${seconds(report.ms)}.`,
    '',
  );
  const rows: string[] = [];
  for (const d of report.databases) {
    if (d.error) rows.push(`| ${d.database} | ❌ ${cell(d.error)} | | |`);
    rows.push(
      `| ${d.database}: base branch | ${d.base.failure ? `❌ ${cell(baseWords(d))}` : `✅ ${d.base.files} migrations`} | ${seconds(d.base.ms)} | |`,
    );
    for (const f of d.files) {
      const slowest = [...f.statements].sort((a, b) => b.ms - a.ms)[0];
      const trip = f.roundTrip
        ? `<br/>${f.roundTrip.state === 'matched' ? '✅' : '❌'} ${cell(roundTripWords(f.roundTrip))}`
        : '';
      const mismatches = (f.roundTrip?.mismatches ?? [])
        .slice(0, 10)
        .map((m) => `<br/>• ${cell(mismatchWords(m))}`)
        .join('');
      rows.push(
        `| \`${cell(f.path)}\` | ${MD_ICON[f.outcome]} ${cell(fileWords(f))}${trip}${mismatches} | ${f.outcome === 'not-run' ? '' : seconds(fileTime(f))} | ${slowest ? `statement ${slowest.statement} (line ${slowest.line}): ${seconds(slowest.ms)}` : ''} |`,
      );
    }
  }
  lines.push(
    '| File | Rehearsal | Time | Slowest statement |',
    '| --- | --- | --- | --- |',
    ...rows.slice(0, MAX_ROWS),
  );
  if (rows.length > MAX_ROWS) lines.push('', `… and ${rows.length - MAX_ROWS} more rows in the job summary.`);
  lines.push('');
  return lines;
}
