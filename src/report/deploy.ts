// Deploy, status and repair as text: the CLI prints these lines, the Action logs them and puts
// them in the job summary.
import type { DatabaseReport } from '../deploy/apply.js';
import { HISTORY_TABLE } from '../deploy/mysql-revisions.js';
import type { RepairResult } from '../deploy/repair.js';
import type { DatabaseStatus } from '../deploy/status.js';

const ICON: Record<DatabaseReport['status'], string> = {
  applied: '✓',
  'up-to-date': '✓',
  'dry-run': '·',
  failed: '✗',
  'in-doubt': '?',
  refused: '✗',
  error: '✗',
};

export function formatReports(reports: readonly DatabaseReport[]): string[] {
  const lines: string[] = [];
  for (const r of reports) {
    const files = r.applied.map(
      (a) => `${a.file} (${a.statements} statement${a.statements === 1 ? '' : 's'})`,
    );
    const what =
      r.status === 'applied'
        ? `applied ${files.join(', ')}`
        : r.status === 'up-to-date'
          ? `up to date (${r.skipped} applied earlier)`
          : r.status === 'dry-run'
            ? `would apply ${files.length > 0 ? files.join(', ') : 'nothing'}`
            : `${r.status}: ${r.message ?? ''}`;
    lines.push(`${ICON[r.status]} ${r.environment}/${r.database}: ${what}`);
    if (r.status === 'failed' && r.applied.length > 0)
      lines.push(`    before the failure: ${files.join(', ')}`);
    for (const w of r.warnings) lines.push(`    warning: ${w}`);
  }
  return lines;
}

/** The history of one database as an aligned table, then its errors and repair notes. */
export function formatStatus(s: DatabaseStatus): string[] {
  const lines = [`${s.environment}/${s.database} (${s.masked})`];
  if (s.rows === null) return [...lines, `  no ${HISTORY_TABLE} table: nothing deployed yet`];
  const table = [
    ['version', 'file', 'status', 'statements', 'applied by', 'PR', 'risk', 'finished', 'ms', 'checksum'],
    ...s.rows.map((r) => [
      r.version,
      r.file,
      r.status,
      `${r.statementsApplied}/${r.statementsTotal}`,
      r.appliedBy,
      r.pr === null ? '' : `#${r.pr}`,
      r.risk ?? '',
      r.finishedAt ?? '',
      r.executionMs === null ? '' : String(r.executionMs),
      r.checksum.slice(0, 19),
    ]),
  ];
  const widths = table[0]?.map((_, i) => Math.max(...table.map((row) => (row[i] ?? '').length))) ?? [];
  for (const row of table)
    lines.push(
      `  ${row
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd()}`,
    );
  for (const r of s.rows.filter((x) => x.error || x.note)) {
    if (r.error) lines.push(`  ${r.version}: ${r.error}`);
    if (r.note) lines.push(`  ${r.version}: ${r.note.replace(/\n/g, '; ')}`);
  }
  return lines;
}

export function formatRepair(r: RepairResult): string {
  const row = r.row;
  return `repaired ${r.database} version ${r.version}: statement ${r.statement + 1} recorded as ${r.mark}; status ${row.status}, ${row.statementsApplied}/${row.statementsTotal} statements applied${row.status === 'failed' ? `; the next deploy resumes at statement ${row.statementsApplied + 1}` : ''}`;
}
