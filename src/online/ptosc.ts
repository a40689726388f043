// pt-online-schema-change as a child process. The password never reaches the command line
// (where `ps` shows it to every user): it goes into an option file readable only by us, named in
// the DSN with F=, and removed when the tool exits.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { redact } from '../db/connect.js';
import { InputError } from '../errors.js';
import type { OnlineRun, OnlineRunResult, OnlineSchemaChanger } from './tool.js';

const BINARY = 'pt-online-schema-change';
const HOW_TO_INSTALL = 'install Percona Toolkit (Debian/Ubuntu: apt-get install percona-toolkit)';

// `Copying `db`.`t`:  56% 00:12 remain`
const PROGRESS = /^Copying .*?:\s+(\d+)% (\S+) remain/;
// What the tool prints on every run; anything else on a failed run is its explanation.
const ROUTINE =
  /^(\d{4}-\d\d-\d\dT\S+ |\s|No slaves found|Not checking slave lag|Operation, tries, wait|Altering `|Creating new table|Created new table|Altering new table|Altered `|Creating triggers|Created triggers|Copying approximately)/;

function explanation(lines: readonly string[]): string | undefined {
  const cleaned = lines
    .filter((l) => !ROUTINE.test(l))
    .map((l) => l.replace(/^\(in cleanup\) /, '').replace(/ at \S+ line \d+\.$/, ''));
  const unique = [...new Set(cleaned)];
  return unique.length > 0 ? unique.slice(-4).join(' / ') : undefined;
}

/** Option files live in `<tmp>/sqlgate-ptosc-<pid>-*`, so a later run can tell whose they were. */
const OPTION_DIR_PREFIX = 'sqlgate-ptosc-';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === 'EPERM';
  }
}

/**
 * A deploy killed with SIGKILL (a lost runner) cannot remove its option file: the next run on the
 * machine removes those of processes that no longer exist, so a password never lingers on disk.
 */
export function removeStaleOptionFiles(dir = tmpdir()): void {
  for (const name of readdirSync(dir)) {
    const pid = Number(new RegExp(`^${OPTION_DIR_PREFIX}(\\d+)-`).exec(name)?.[1]);
    if (!pid || pid === process.pid || alive(pid)) continue;
    rmSync(join(dir, name), { recursive: true, force: true });
  }
}

/** A MySQL option file value, quoted so `#`, `;` and spaces in a password survive. */
function optionValue(value: string): string {
  if (/[\r\n]/.test(value))
    throw new InputError('the database password contains a line break, which an option file cannot hold');
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function dsnPart(what: string, value: string): string {
  // The DSN is comma-separated key=value pairs with no quoting.
  if (/[,=]/.test(value))
    throw new InputError(`${BINARY} cannot take a ${what} containing "," or "=" (${value})`);
  return value;
}

/** The arguments, without any secret: the password is in the option file `optionFile`. */
export function ptOscArgs(request: OnlineRun, optionFile: string): string[] {
  const { target, options } = request;
  const dsn = [
    `h=${dsnPart('host', target.host)}`,
    `P=${target.port}`,
    `u=${dsnPart('user name', target.user)}`,
    `F=${dsnPart('path', optionFile)}`,
    `D=${dsnPart('database name', request.database)}`,
    `t=${dsnPart('table name', request.table)}`,
  ].join(',');
  return [
    '--alter',
    request.clause,
    '--execute',
    '--chunk-size',
    String(options.chunkSize),
    '--max-load',
    options.maxLoad,
    '--critical-load',
    options.criticalLoad,
    '--set-vars',
    `lock_wait_timeout=${request.lockWaitTimeoutSeconds}`,
    '--progress',
    `time,${request.progressSeconds ?? 5}`,
    ...(options.foreignKeys ? ['--alter-foreign-keys-method', options.foreignKeys] : []),
    ...(options.preserveTriggers ? ['--preserve-triggers'] : []),
    dsn,
  ];
}

export const ptOnlineSchemaChange: OnlineSchemaChanger = {
  tool: BINARY,

  ensureInstalled(): void {
    try {
      execFileSync(BINARY, ['--version'], { stdio: 'ignore' });
    } catch {
      throw new InputError(
        `${BINARY} is not installed, and the policy sends this ALTER to it: ${HOW_TO_INSTALL}`,
      );
    }
  },

  async run(request: OnlineRun): Promise<OnlineRunResult> {
    const { log, target } = request;
    removeStaleOptionFiles();
    const dir = mkdtempSync(join(tmpdir(), `${OPTION_DIR_PREFIX}${process.pid}-`));
    const optionFile = join(dir, 'client.cnf');
    try {
      writeFileSync(optionFile, `[client]\npassword=${optionValue(target.password)}\n`, { mode: 0o600 });
      // Only what perl needs: the parent's environment holds database URLs with passwords.
      const env: Record<string, string> = { LANG: 'C' };
      for (const key of ['PATH', 'HOME', 'TZ', 'PERL5LIB', 'TMPDIR'])
        if (process.env[key] !== undefined) env[key] = process.env[key] as string;
      const child = spawn(BINARY, ptOscArgs(request, optionFile), {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const abort = () => child.kill('SIGTERM');
      request.signal?.addEventListener('abort', abort, { once: true });
      const lines: string[] = [];
      const onLine = (raw: string) => {
        const line = redact(raw, target).trimEnd();
        if (line === '') return;
        const progress = PROGRESS.exec(line);
        if (progress) {
          request.onProgress?.({ percent: Number(progress[1]), eta: progress[2] as string });
          return;
        }
        lines.push(line);
        log(line);
      };
      const closed = Promise.all([
        new Promise<void>((resolve) =>
          createInterface({ input: child.stdout }).on('line', onLine).on('close', resolve),
        ),
        new Promise<void>((resolve) =>
          createInterface({ input: child.stderr }).on('line', onLine).on('close', resolve),
        ),
      ]);
      const exit = new Promise<{ code: number | null; signal: string | null }>((resolve, reject) => {
        child.once('error', reject);
        child.once('exit', (code, signal) => resolve({ code, signal }));
      });
      if (child.pid !== undefined) request.onSpawn?.(child.pid);
      let status: { code: number | null; signal: string | null };
      try {
        status = await exit;
      } catch (error) {
        if ((error as { code?: string }).code === 'ENOENT')
          throw new InputError(`${BINARY} is not installed: ${HOW_TO_INSTALL}`);
        throw error;
      } finally {
        request.signal?.removeEventListener('abort', abort);
      }
      await closed;
      const ok = status.code === 0;
      return {
        ok,
        exitCode: status.code,
        signal: status.signal,
        ...(ok
          ? {}
          : { error: explanation(lines) ?? `${BINARY} exited with status ${status.code ?? status.signal}` }),
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
