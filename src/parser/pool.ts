// Runs node-sql-parser in a worker thread with a per-statement time budget. A statement that
// takes longer (the parser has hung on pathological input, node-sql-parser#1848) is answered
// with a timeout — which the risk engine treats as unparsable, failing closed — and the worker is
// replaced so the rest of the file is still analysed.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ParseReply, ParseRequest, StatementParser } from '../sql/analyse.js';

export interface ParserPoolOptions {
  /** Milliseconds one statement may take. */
  readonly budgetMs?: number;
}

interface Job {
  readonly seq: number;
  readonly request: ParseRequest;
  resolve(reply: ParseReply): void;
}

const BATCH = 64;

let sourceWorkerCode: string | undefined;

function startWorker(workerData: unknown): Worker {
  // Bundled: dist/parse-worker.js beside this file.
  const js = new URL('./parse-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(js))) return new Worker(js, { workerData });
  // From source (tests, benchmarks): bundle the TypeScript entry once with esbuild, a dev
  // dependency, since worker threads cannot load TypeScript themselves.
  if (!sourceWorkerCode) {
    const esbuild = createRequire(import.meta.url)('esbuild') as typeof import('esbuild');
    const result = esbuild.buildSync({
      entryPoints: [fileURLToPath(new URL('./parse-worker.ts', import.meta.url))],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      write: false,
      logLevel: 'silent',
    });
    sourceWorkerCode = result.outputFiles[0]?.text ?? '';
  }
  return new Worker(sourceWorkerCode, { eval: true, workerData });
}

export class ParserPool implements StatementParser {
  private readonly budgetMs: number;
  private worker: Worker | undefined;
  private progress = new Int32Array(new SharedArrayBuffer(4));
  private queue: Job[] = [];
  private inFlight = new Map<number, Job>();
  private nextSeq = 0;
  private watchdog: NodeJS.Timeout | undefined;
  private watched = { seq: -1, since: 0 };

  constructor(options: ParserPoolOptions = {}) {
    this.budgetMs = options.budgetMs ?? 2000;
  }

  parse(requests: readonly ParseRequest[]): Promise<ParseReply[]> {
    const replies = requests.map(
      (request) =>
        new Promise<ParseReply>((resolve) => {
          this.queue.push({ seq: this.nextSeq++, request, resolve });
        }),
    );
    this.pump();
    return Promise.all(replies);
  }

  /** Stop the worker; the pool starts a new one if used again. */
  async close(): Promise<void> {
    if (this.watchdog) clearInterval(this.watchdog);
    this.watchdog = undefined;
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    this.progress = new Int32Array(new SharedArrayBuffer(4));
    Atomics.store(this.progress, 0, -1);
    const worker = startWorker({ progress: this.progress.buffer });
    worker.on('message', (replies: { seq: number; reply: ParseReply }[]) => {
      for (const { seq, reply } of replies) {
        const job = this.inFlight.get(seq);
        this.inFlight.delete(seq);
        job?.resolve(reply);
      }
      this.pump();
    });
    worker.on('error', (error) => this.failInFlight(`the parser worker failed: ${error.message}`));
    this.worker = worker;
    this.watchdog = setInterval(() => this.checkBudget(), Math.max(10, Math.min(250, this.budgetMs / 4)));
    this.watchdog.unref();
    return worker;
  }

  private pump(): void {
    // Two batches in flight: the worker never waits for the next message, memory stays bounded.
    while (this.queue.length > 0 && this.inFlight.size < BATCH * 2) {
      const batch = this.queue.splice(0, BATCH);
      for (const job of batch) this.inFlight.set(job.seq, job);
      this.ensureWorker().postMessage(batch.map(({ seq, request }) => ({ seq, request })));
    }
    if (this.worker) {
      // Only keep the process alive while there is work.
      if (this.inFlight.size > 0) this.worker.ref();
      else this.worker.unref();
    }
  }

  private checkBudget(): void {
    const seq = Atomics.load(this.progress, 0);
    const now = Date.now();
    if (seq !== this.watched.seq) {
      this.watched = { seq, since: now };
      return;
    }
    if (seq < 0 || now - this.watched.since <= this.budgetMs) return;
    const job = this.inFlight.get(seq);
    this.inFlight.delete(seq);
    this.restartWorker();
    job?.resolve({ ok: false, reason: 'timeout', message: `the parser did not finish within ${this.budgetMs} ms` });
  }

  private restartWorker(): void {
    const old = this.worker;
    this.worker = undefined;
    if (this.watchdog) clearInterval(this.watchdog);
    this.watchdog = undefined;
    this.watched = { seq: -1, since: 0 };
    void old?.terminate();
    // Everything the old worker had not answered goes back to the front of the queue.
    const retry = [...this.inFlight.values()].sort((a, b) => a.seq - b.seq);
    this.inFlight.clear();
    this.queue.unshift(...retry);
    this.pump();
  }

  private failInFlight(message: string): void {
    for (const job of [...this.inFlight.values(), ...this.queue]) job.resolve({ ok: false, reason: 'syntax', message });
    this.inFlight.clear();
    this.queue = [];
    this.worker = undefined;
  }
}

let shared: ParserPool | undefined;

/** One pool per process, started on first use. */
export function sharedParser(): ParserPool {
  shared ??= new ParserPool();
  return shared;
}
