// Throwaway MariaDB servers (own datadir and port): `sqlgate rehearse` starts one when it is
// given no URL, and the tests use them for the seed scenario's separate Test and Prod instances.
// They can be killed and restarted.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';

const HOW_TO_GET_ONE =
  'a throwaway server needs the MariaDB server binaries (mariadbd and mariadb-install-db): on Debian or Ubuntu run `apt-get install mariadb-server`';

function locateBinary(name: string): string | undefined {
  for (const dir of ['/usr/sbin', '/usr/bin', '/usr/local/sbin', '/usr/local/bin', '/usr/local/mysql/bin']) {
    if (existsSync(join(dir, name))) return join(dir, name);
  }
  try {
    return (
      execFileSync('which', [name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() ||
      undefined
    );
  } catch {
    return undefined;
  }
}

function findBinary(name: string): string {
  const found = locateBinary(name);
  if (!found) throw new Error(`${name} not found: ${HOW_TO_GET_ONE}`);
  return found;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Whether this machine can start a throwaway server. */
export function canStartMariaDb(): boolean {
  return locateBinary('mariadbd') !== undefined && locateBinary('mariadb-install-db') !== undefined;
}

export class MariaDbServer {
  private process: ChildProcess | undefined;
  private constructor(
    readonly dir: string,
    readonly port: number,
    private readonly durable: boolean,
  ) {}

  /**
   * Initialise a datadir and start a server on a free port. `durable: false` skips every fsync
   * (a rehearsal's server is thrown away, so a crash may lose anything); tests that kill the
   * server to check what survives keep the default.
   */
  static async start(options: { durable?: boolean } = {}): Promise<MariaDbServer> {
    const dir = mkdtempSync(join(tmpdir(), 'sqlgate-mariadb-'));
    const install = findBinary('mariadb-install-db');
    // Its own tmpdir: servers bootstrapping at the same time must not share temporary files.
    mkdirSync(join(dir, 'tmp'));
    try {
      execFileSync(
        install,
        [
          '--no-defaults',
          `--datadir=${join(dir, 'data')}`,
          `--tmpdir=${join(dir, 'tmp')}`,
          '--user=root',
          '--auth-root-authentication-method=normal',
          '--skip-test-db',
          '--skip-name-resolve',
        ],
        { stdio: 'pipe' },
      );
    } catch (error) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(
        `mariadb-install-db failed: ${(error as { stderr?: Buffer }).stderr?.toString() ?? error}`,
      );
    }
    const server = new MariaDbServer(dir, await freePort(), options.durable ?? true);
    await server.boot();
    return server;
  }

  get url(): string {
    return `mysql://root:@127.0.0.1:${this.port}/`;
  }

  /** Start (again) on the same datadir and port. */
  async boot(): Promise<void> {
    const binary = findBinary('mariadbd');
    this.process = spawn(
      binary,
      [
        '--no-defaults',
        `--datadir=${join(this.dir, 'data')}`,
        `--tmpdir=${join(this.dir, 'tmp')}`,
        `--port=${this.port}`,
        `--socket=${join(this.dir, 'mysqld.sock')}`,
        `--pid-file=${join(this.dir, 'mysqld.pid')}`,
        '--bind-address=127.0.0.1',
        '--user=root',
        '--skip-name-resolve',
        '--skip-log-bin',
        '--innodb-buffer-pool-size=16M',
        '--innodb-log-file-size=8M',
        '--max-connections=200',
        ...(this.durable
          ? []
          : [
              '--innodb-flush-log-at-trx-commit=0',
              '--innodb-doublewrite=0',
              '--innodb-flush-method=nosync',
              '--skip-innodb-file-per-table',
            ]),
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let log = '';
    this.process.stderr?.on('data', (d: Buffer) => {
      log += d.toString();
    });
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        const c = await mysql.createConnection({
          host: '127.0.0.1',
          port: this.port,
          user: 'root',
          password: '',
        });
        await c.end();
        return;
      } catch {
        if (this.process.exitCode !== null || Date.now() > deadline) {
          throw new Error(
            `mariadbd did not start on port ${this.port}: ${log.slice(-2000)}\n${HOW_TO_GET_ONE}`,
          );
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  /** SIGKILL, as a crash or an OOM kill would. */
  async kill(): Promise<void> {
    const p = this.process;
    if (!p || p.exitCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGKILL');
    await exited;
  }

  /** SIGSTOP: the server keeps its sockets open but answers nothing, as a frozen VM would. */
  freeze(): void {
    this.process?.kill('SIGSTOP');
  }

  thaw(): void {
    this.process?.kill('SIGCONT');
  }

  async connection(database?: string): Promise<mysql.Connection> {
    return mysql.createConnection({
      host: '127.0.0.1',
      port: this.port,
      user: 'root',
      password: '',
      ...(database ? { database } : {}),
      dateStrings: true,
    });
  }

  async query<T = Record<string, unknown>>(sql: string, database?: string): Promise<T[]> {
    const c = await this.connection(database);
    try {
      const [rows] = await c.query(sql);
      return rows as T[];
    } finally {
      await c.end();
    }
  }

  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
