// `plan --estimate`: read the tables that ALTERs routed online would touch, so the plan refuses
// what the tool cannot do (no key, triggers, foreign keys) before anyone approves it.
import { closeQuietly, connect } from '../db/connect.js';
import type { DatabaseTargets } from '../db/targets.js';
import type { Database, Policy } from '../policy/types.js';
import type { AnalysedMigrationWithText } from '../risk/evaluate.js';
import type { TableShape } from './decide.js';
import { inspectTable } from './inspect.js';
import type { TableShapeLookup } from './plan-executions.js';

export async function readTableShapes(
  policy: Policy,
  migrations: readonly AnalysedMigrationWithText[],
  targets: DatabaseTargets,
  warn: (message: string) => void,
): Promise<TableShapeLookup> {
  const known = new Map<string, TableShape>();
  const key = (db: Database, table: string) => `${db.name}@${db.environment}|${table}`;
  for (const db of policy.databases) {
    if (!policy.environments.find((e) => e.id === db.environment)?.onlineSchemaChange) continue;
    const tables = new Set(
      migrations
        .filter((m) => m.migration.folder === db.migrations)
        .flatMap((m) =>
          m.statements.filter((s) => s.facts.type === 'ALTER_TABLE').map((s) => s.facts.tables[0]),
        )
        .filter((t): t is string => t !== undefined),
    );
    if (tables.size === 0 || !targets.has(db)) continue;
    let connection: Awaited<ReturnType<typeof connect>>;
    try {
      connection = await connect(targets.of(db), { connectTimeoutMs: 5000 });
    } catch (error) {
      warn(
        `estimate: ${(error as Error).message}; tables in ${db.name} (${db.environment}) were not checked`,
      );
      continue;
    }
    try {
      for (const table of tables) {
        const [schema, name] = table.includes('.')
          ? (table.split('.', 2) as [string, string])
          : [db.name, table];
        known.set(key(db, table), await inspectTable(connection, schema, name));
      }
    } finally {
      await closeQuietly(connection);
    }
  }
  return (db, table) => known.get(key(db, table));
}
