import { execFileSync } from 'node:child_process';
import { userInfo } from 'node:os';
import { connect, useDatabase } from '../db/connect.js';
import { targetOf } from '../db/url.js';
import type { DatabaseReport } from '../deploy/apply.js';
import { deployEnvironment, selectDatabases } from '../deploy/fleet.js';
import { HISTORY_TABLE, historyExists, readHistory, recordRepair } from '../deploy/history.js';
import { acquireLock, lockName, releaseLock } from '../deploy/lock.js';
import { readMigrationFolder } from '../deploy/sources.js';
import { versionKey } from '../deploy/types.js';
import { InputError, RefusedError } from '../errors.js';
import { parseMigrationName } from '../sql/migration-name.js';
import type { CliIo } from './io.js';
import { loadPolicyDir } from './validate.js';

export interface DeployCliOptions {
  readonly policies: string;
  readonly migrations: string;
  readonly env: string;
  readonly database?: string;
  readonly dryRun: boolean;
  readonly concurrency: string;
  readonly shard?: string;
  readonly lockTimeout: string;
}

function positiveInt(flag: string, value: string, min = 1): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw new InputError(`${flag} must be a whole number ≥ ${min}, not "${value}"`);
  return n;
}

function gitSha(cwd: string): string | null {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return null;
  }
}

export function whoDeploys(env: Readonly<Record<string, string | undefined>>): string {
  return env.GITHUB_ACTOR ?? env.USER ?? userInfo().username;
}

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

/** 0 all done, 2 bad input somewhere (nothing changed there), 1 a deploy failed or was refused. */
export function exitCodeOfReports(reports: readonly DatabaseReport[]): number {
  if (reports.some((r) => r.status === 'failed' || r.status === 'in-doubt' || r.status === 'refused'))
    return 1;
  if (reports.some((r) => r.status === 'error')) return 2;
  return 0;
}

export async function runDeploy(io: CliIo, o: DeployCliOptions): Promise<number> {
  const policy = loadPolicyDir(io, o.policies);
  const reports = await deployEnvironment({
    policy,
    environment: o.env,
    root: io.cwd,
    migrationsDir: o.migrations.replace(/\/+$/, ''),
    env: io.env,
    ...(o.database !== undefined ? { database: o.database } : {}),
    ...(o.shard !== undefined ? { shard: o.shard } : {}),
    concurrency: positiveInt('--concurrency', o.concurrency),
    dryRun: o.dryRun,
    lockTimeoutSeconds: positiveInt('--lock-timeout', o.lockTimeout, 0),
    appliedBy: whoDeploys(io.env),
    gitSha: gitSha(io.cwd),
    log: (line) => io.out(line),
    onStatement: (p) => {
      // Long files get a progress line every 10 statements; short ones are reported at the end.
      if (p.total >= 20 && (p.statement % 10 === 0 || p.statement === p.total))
        io.err(`${p.database}: ${p.file}: ${p.statement}/${p.total} statements`);
    },
  });
  if (o.dryRun) io.out('dry run: nothing was changed');
  for (const line of formatReports(reports)) io.out(line);
  return exitCodeOfReports(reports);
}

export async function runStatus(
  io: CliIo,
  o: { policies: string; env: string; database?: string },
): Promise<number> {
  const policy = loadPolicyDir(io, o.policies);
  const { databases } = selectDatabases(
    policy,
    o.env,
    o.database !== undefined ? { database: o.database } : {},
  );
  for (const database of databases) {
    const target = targetOf(database, io.env);
    const c = await connect(target);
    try {
      io.out(`${o.env}/${database.name} (${target.masked})`);
      if (!(await historyExists(c, database.name))) {
        io.out(`  no ${HISTORY_TABLE} table: nothing deployed yet`);
        continue;
      }
      await useDatabase(c, database.name);
      const rows = await readHistory(c);
      const table = [
        ['version', 'file', 'status', 'statements', 'applied by', 'PR', 'risk', 'finished', 'ms', 'checksum'],
        ...rows.map((r) => [
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
        io.out(
          `  ${row
            .map((cell, i) => cell.padEnd(widths[i] ?? 0))
            .join('  ')
            .trimEnd()}`,
        );
      for (const r of rows.filter((x) => x.error || x.note)) {
        if (r.error) io.out(`  ${r.version}: ${r.error}`);
        if (r.note) io.out(`  ${r.version}: ${r.note.replace(/\n/g, '; ')}`);
      }
    } finally {
      await c.end();
    }
  }
  return 0;
}

export async function runRepair(
  io: CliIo,
  o: {
    policies: string;
    migrations: string;
    env: string;
    database?: string;
    version?: string;
    mark?: string;
  },
): Promise<number> {
  if (!o.database || !o.version || (o.mark !== 'applied' && o.mark !== 'not-applied')) {
    throw new InputError('repair needs --env ID --database NAME --version V --mark applied|not-applied');
  }
  const policy = loadPolicyDir(io, o.policies);
  const { databases } = selectDatabases(policy, o.env, { database: o.database });
  const database = databases[0];
  if (!database) throw new InputError(`database "${o.database}" is not in environment ${o.env}`);
  const parsed = parseMigrationName(
    `${o.migrations}/${database.migrations}/${o.version}_x.sql`,
    o.migrations,
  );
  if ('format' in parsed) throw new InputError(`--version "${o.version}" is not a migration version`);
  const key = versionKey(parsed.parts);
  const target = targetOf(database, io.env);
  const c = await connect(target, { database: database.name });
  const lock = lockName(target.host, target.port, database.name);
  try {
    await acquireLock(c, lock, 10);
    const row = (await readHistory(c)).find((r) => r.versionKey === key);
    if (!row) throw new InputError(`version ${o.version} is not in the history of ${database.name}`);
    if (row.status !== 'in-doubt' && !(row.status === 'running' && row.inflightStatement !== null)) {
      throw new RefusedError(
        `version ${o.version} of ${database.name} is ${row.status}, not in doubt; there is nothing to repair`,
      );
    }
    const file = readMigrationFolder(io.cwd, o.migrations, database.migrations).find(
      (f) => versionKey(f.name.parts) === key,
    );
    const inflight = row.inflightStatement ?? row.statementsApplied;
    const repaired = await recordRepair(c, row, o.mark, whoDeploys(io.env), file?.statements[inflight]?.hash);
    io.out(
      `repaired ${database.name} version ${row.version}: statement ${inflight + 1} recorded as ${o.mark}; status ${repaired.status}, ${repaired.statementsApplied}/${repaired.statementsTotal} statements applied${repaired.status === 'failed' ? `; the next deploy resumes at statement ${repaired.statementsApplied + 1}` : ''}`,
    );
    return 0;
  } finally {
    await releaseLock(c, lock);
    await c.end();
  }
}
