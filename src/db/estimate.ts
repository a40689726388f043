// `plan --estimate`: row counts from live databases, so rules on tableRows and affectedRows can
// use real numbers. Databases without a URL keep those facts unknown (and comparisons hold).

import type { Database, Policy } from '../policy/types.js';
import type { AnalysedMigrationWithText, EstimateLookup, Estimates } from '../risk/evaluate.js';
import { splitStatements } from '../sql/split.js';
import { connect, useDatabase } from './connect.js';
import type { DatabaseTargets } from './targets.js';

export async function estimateFromDatabases(
  policy: Policy,
  migrations: readonly AnalysedMigrationWithText[],
  targets: DatabaseTargets,
  warn: (message: string) => void,
): Promise<EstimateLookup> {
  const known = new Map<string, Estimates>();
  const key = (db: Database, file: string, index: number) => `${db.name}@${db.environment}|${file}|${index}`;
  for (const db of policy.databases) {
    const files = migrations.filter((m) => m.migration.folder === db.migrations);
    if (files.length === 0) continue;
    if (!targets.has(db)) {
      warn(`estimate: ${db.urlEnv} is not set; row counts for ${db.name} in ${db.environment} are unknown`);
      continue;
    }
    let connection: Awaited<ReturnType<typeof connect>>;
    try {
      connection = await connect(targets.of(db), { connectTimeoutMs: 5000 });
    } catch (error) {
      warn(
        `estimate: ${(error as Error).message}; row counts for ${db.name} in ${db.environment} are unknown`,
      );
      continue;
    }
    try {
      const selected = await useDatabase(connection, db.name).then(
        () => true,
        () => false,
      );
      for (const file of files) {
        const texts = splitStatements(file.text);
        for (const statement of file.statements) {
          const table = statement.facts.tables[0];
          let tableRows: Estimates['tableRows'] = 'unknown';
          let affectedRows: Estimates['affectedRows'] = 'unknown';
          if (table) {
            const [schema, name] = table.includes('.') ? table.split('.', 2) : [db.name, table];
            const [rows] = await connection.query(
              'SELECT TABLE_ROWS AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?',
              [schema, name],
            );
            const n = (rows as { n: string | null }[])[0]?.n;
            if (n !== undefined && n !== null) tableRows = Number(n);
          }
          const text = texts[statement.index]?.text;
          if (selected && text && (statement.facts.type === 'UPDATE' || statement.facts.type === 'DELETE')) {
            try {
              const [plan] = await connection.query(`EXPLAIN ${text}`);
              affectedRows = (plan as { rows: string | number | null }[]).reduce(
                (sum, row) => sum + Number(row.rows ?? 0),
                0,
              );
            } catch {
              // The table may not exist yet (created earlier in the same change): stays unknown.
            }
          }
          known.set(key(db, file.migration.path, statement.index), { tableRows, affectedRows });
        }
      }
    } finally {
      await connection.end();
    }
  }
  return (db, file, index) =>
    known.get(key(db, file, index)) ?? { tableRows: 'unknown', affectedRows: 'unknown' };
}
