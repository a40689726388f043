// A rollback's outcome as one line per database (the CLI and the Action's log and summary).
import type { RollbackReport } from '../rollback/rollback.js';

const ICON: Record<RollbackReport['status'], string> = {
  'rolled-back': '✓',
  'nothing-to-do': '✓',
  failed: '✗',
  refused: '✗',
};

export function formatRollback(r: RollbackReport): string {
  const what =
    r.status === 'rolled-back'
      ? `rolled back with ${r.rolledBack.join(', ')}`
      : r.status === 'nothing-to-do'
        ? 'nothing above that version is applied'
        : `${r.status}: ${r.message ?? ''}${r.rolledBack.length > 0 ? ` (ran before the failure: ${r.rolledBack.join(', ')})` : ''}`;
  return `${ICON[r.status]} ${r.environment}/${r.database}: ${what}`;
}
