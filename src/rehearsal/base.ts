// The base branch's schema, built fast: its migrations have already been through review and
// deploy, so the rehearsal needs their result, not a per-statement record of them. Each file goes
// to the server as one multi-statement batch (one round trip, no history write between
// statements), then a few transactions record every file as applied in the scratch history, so
// the PR's migrations meet the history a real deploy would leave. If any batch fails, the caller
// rebuilds with the deploy engine to report the failing statement exactly.
import { closeQuietly, connect, quoteIdentifier } from '../db/connect.js';
import type { ConnectionTarget } from '../db/url.js';
import { cumulativeHash } from '../deploy/checksum.js';
import { CONTROL_TIMEOUT_MS, ControlSession } from '../deploy/control.js';
import { acquireLock, lockName, releaseLock } from '../deploy/lock.js';
import { MysqlRevisions } from '../deploy/mysql-revisions.js';
import { type MigrationFile, versionKey } from '../deploy/types.js';

const RECORDS_PER_COMMIT = 200;

/** True when every file applied and is recorded; false when a batch failed (the schema is half built). */
export async function buildBaseInBatches(input: {
  readonly target: ConnectionTarget;
  readonly schema: string;
  readonly files: readonly MigrationFile[];
  readonly appliedBy: string;
}): Promise<boolean> {
  const { target, schema } = input;
  const control = await ControlSession.open(target, CONTROL_TIMEOUT_MS);
  try {
    await control.query(`CREATE DATABASE IF NOT EXISTS ${quoteIdentifier(schema)}`);
    const lock = lockName(schema);
    await acquireLock(control, lock, 10);
    try {
      const work = await connect(target, { database: schema, multipleStatements: true });
      try {
        for (const file of input.files) {
          if (file.statements.length === 0) continue;
          // Each statement on its own lines: a statement ending in a `--` comment must not swallow the `;`.
          const batch = file.statements.map((s) => s.text).join('\n;\n');
          try {
            // A file's `USE other` must not carry over to the next file.
            await work.query(`USE ${quoteIdentifier(schema)};\n${batch}`);
          } catch {
            return false;
          }
        }
        const history = new MysqlRevisions(control, schema, { name: lock, holder: control.id });
        await history.ensure();
        for (const [i, file] of input.files.entries()) {
          // A few hundred rows a commit keeps each write well under max_allowed_packet.
          if (i > 0 && i % RECORDS_PER_COMMIT === 0) await history.flush();
          const hashes = file.statements.map((s) => s.hash);
          history.start(
            {
              version: file.name.version,
              versionKey: versionKey(file.name.parts),
              description: file.name.description,
              file: file.name.path,
              checksum: file.checksum,
              statementsTotal: hashes.length,
              statementHashes: hashes,
              appliedBy: input.appliedBy,
              gitSha: null,
              pr: null,
              risk: null,
              connection: work.threadId,
            },
            false,
            { applied: hashes.length, appliedHash: cumulativeHash(hashes), inflight: null, done: true },
          );
        }
        await history.flush();
        return true;
      } finally {
        await closeQuietly(work);
      }
    } finally {
      await releaseLock(control, lock);
    }
  } finally {
    await control.close();
  }
}
