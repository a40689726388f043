// The rehearsal's findings as the risk facts `rehearsalFailed` and `rehearsalMs` see them, per
// statement of each rehearsed file. Pure.
import type { RehearsalMeasure } from '../risk/context.js';
import type { RehearsalReport } from './types.js';

/** (file, 0-based statement index) → what the rehearsal measured; undefined when it did not run. */
export function rehearsalMeasures(
  report: RehearsalReport,
): (file: string, index: number) => RehearsalMeasure | undefined {
  const measures = new Map<string, RehearsalMeasure>();
  for (const database of report.databases) {
    for (const file of database.files) {
      // A migration whose down file does not return the schema has failed its rehearsal too.
      const tripFailed = file.roundTrip !== undefined && file.roundTrip.state !== 'matched';
      for (const s of file.statements)
        measures.set(`${file.path}#${s.statement - 1}`, { failed: tripFailed, ms: s.ms });
      if (file.failure)
        measures.set(`${file.path}#${file.failure.statement - 1}`, { failed: true, ms: 'unknown' });
    }
  }
  return (file, index) => measures.get(`${file}#${index}`);
}
