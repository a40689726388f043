// Deploy, status and repair as text: the CLI prints these lines, the Action logs them and puts
// them in the job summary.
import type { DatabaseReport } from '../deploy/apply.js';
import type { RepairResult } from '../deploy/repair.js';
import type { DatabaseStatus } from '../deploy/status.js';
import { HISTORY_TABLE } from '../deploy/types.js';
import type { RollbackReport } from '../rollback/rollback.js';
import type { RolloutReport } from '../rollout/context.js';
import { formatRollback } from './rollback.js';

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

/** A deploy from the Action, as it logs it and puts it in the job summary. */
export interface RolloutText {
  readonly heading: string;
  /** The conditions that held, then each database's report (or, when refused, only the conditions). */
  readonly log: readonly string[];
  /** The log, and the refusal when there is one. */
  readonly summary: readonly string[];
  /** Why nothing was deployed: the step fails with it. */
  readonly refusal?: string;
}

export function rolloutText(report: RolloutReport, tag: string | undefined): RolloutText {
  const checks = report.checks.map((line) => `✓ ${line}`);
  const what = report.rollbacks ? 'rollback' : 'rollout';
  if (report.refused) {
    const refusal = `${what} of ${tag} refused (${report.refused.condition}): ${report.refused.reason}. Nothing was ${report.rollbacks ? 'rolled back' : 'deployed'}.`;
    return { heading: `sqlgate ${what} refused`, log: checks, summary: [...checks, `✗ ${refusal}`], refusal };
  }
  if (report.rollbacks) {
    const lines = [...checks, ...report.rollbacks.map(formatRollback)];
    return { heading: 'sqlgate rollback', log: lines, summary: lines };
  }
  const lines = [...checks, ...formatReports(report.reports)];
  return { heading: 'sqlgate deploy', log: lines, summary: lines };
}

/** The rollbacks that failed or were refused, one line each; empty when every one went through. */
export function rollbackProblems(rollbacks: readonly RollbackReport[]): string {
  return rollbacks
    .filter((r) => r.status === 'failed' || r.status === 'refused')
    .map(formatRollback)
    .join('\n');
}

/** The Action's `deployed` output: what each database got, when it got everything. */
export function deployedOutput(reports: readonly DatabaseReport[]): string {
  return JSON.stringify(
    reports
      .filter((r) => r.applied.length > 0 && r.status === 'applied')
      .map((r) => ({
        environment: r.environment,
        database: r.database,
        files: r.applied.map((a) => a.file),
      })),
  );
}

/** One line per database whose deploy stopped on bad input (`error`), or did not finish (any other). */
export function deployProblems(reports: readonly DatabaseReport[], kind: 'error' | 'unfinished'): string {
  return reports
    .filter((r) =>
      kind === 'error' ? r.status === 'error' : r.status !== 'applied' && r.status !== 'up-to-date',
    )
    .map((r) => `${r.environment}/${r.database}: ${kind === 'error' ? '' : `${r.status}: `}${r.message}`)
    .join('\n');
}
