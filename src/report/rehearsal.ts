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

export function rehearsalText(report: RehearsalReport): string[] {
  const lines = [`rehearsal on ${report.server}`];
  for (const m of report.missingRollbacks) lines.push(`✗ ${missingRollbackWords(m)}`);
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
  lines.push(`rehearsal ${report.state} in ${seconds(report.ms)}`);
  return lines;
}
