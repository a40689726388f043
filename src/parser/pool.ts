// Runs node-sql-parser in a worker thread with a per-statement time budget. A statement that
// takes longer (the parser has hung on pathological input, node-sql-parser#1848) is answered
// with a timeout — which the risk engine treats as unparsable, failing closed — and the worker is
// replaced so the rest of the file is still analysed.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ParseReply, ParseRequest, StatementParser } from '../sql/analyse.js';

export interface ParserPoolOptions {
  /** Milliseconds one statement may take. */
  readonly budgetMs?: number;
  /** Worker threads (default: up to 2, one per core). */
  readonly workers?: number;
}

interface Job {
  readonly seq: number;
  readonly request: ParseRequest;
  resolve(reply: ParseReply): void;
}

const BATCH = 32;

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

/** One worker, the sequence number it is parsing, and the jobs it has been sent. */
interface Slot {
  readonly worker: Worker;
  readonly progress: Int32Array;
  readonly inFlight: Map<number, Job>;
  watched: { seq: number; since: number };
}

export class ParserPool implements StatementParser {
  private readonly budgetMs: number;
  private readonly size: number;
  private slots: Slot[] = [];
  private queue: Job[] = [];
  private nextSeq = 0;
  private watchdog: NodeJS.Timeout | undefined;
  private pumpScheduled = false;

  constructor(options: ParserPoolOptions = {}) {
    this.budgetMs = options.budgetMs ?? 2000;
    // Parsing dominates analysis; one worker per core keeps the main thread's split and
    // classify work overlapped with it.
    this.size = Math.max(1, options.workers ?? Math.min(2, availableParallelism()));
  }

  /** Start a worker now, so its start-up overlaps the caller's other work (git reads, splitting). */
  warm(): void {
    if (this.slots.length === 0) this.startSlot().worker.unref();
  }

  parse(requests: readonly ParseRequest[]): Promise<ParseReply[]> {
    const replies = requests.map(
      (request) =>
        new Promise<ParseReply>((resolve) => {
          this.queue.push({ seq: this.nextSeq++, request, resolve });
        }),
    );
    // Send after the current turn: files analysed together then share full batches instead of
    // each paying a message of its own.
    if (!this.pumpScheduled) {
      this.pumpScheduled = true;
      setImmediate(() => {
        this.pumpScheduled = false;
        this.pump();
      });
    }
    return Promise.all(replies);
  }

  /** Stop the workers; the pool starts new ones if used again. */
  async close(): Promise<void> {
    if (this.watchdog) clearInterval(this.watchdog);
    this.watchdog = undefined;
    const slots = this.slots;
    this.slots = [];
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
  }

  private startSlot(): Slot {
    const progress = new Int32Array(new SharedArrayBuffer(4));
    Atomics.store(progress, 0, -1);
    const worker = startWorker({ progress: progress.buffer });
    const slot: Slot = { worker, progress, inFlight: new Map(), watched: { seq: -1, since: 0 } };
    worker.on('message', (replies: { seq: number; reply: ParseReply }[]) => {
      for (const { seq, reply } of replies) {
        const job = slot.inFlight.get(seq);
        slot.inFlight.delete(seq);
        job?.resolve(reply);
      }
      this.pump();
    });
    worker.on('error', (error) => this.failSlot(slot, `the parser worker failed: ${error.message}`));
    this.slots.push(slot);
    if (!this.watchdog) {
      this.watchdog = setInterval(() => this.checkBudgets(), Math.max(10, Math.min(250, this.budgetMs / 4)));
      this.watchdog.unref();
    }
    return slot;
  }

  private pump(): void {
    while (this.slots.length < this.size && this.queue.length > BATCH * this.slots.length) this.startSlot();
    if (this.slots.length === 0 && this.queue.length > 0) this.startSlot();
    // Two batches in flight per worker: it never waits for its next message, memory stays bounded.
    for (const slot of this.slots) {
      while (this.queue.length > 0 && slot.inFlight.size < BATCH * 2) {
        const batch = this.queue.splice(0, BATCH);
        for (const job of batch) slot.inFlight.set(job.seq, job);
        slot.worker.postMessage(batch.map(({ seq, request }) => ({ seq, request })));
      }
      // Only keep the process alive while there is work.
      if (slot.inFlight.size > 0) slot.worker.ref();
      else slot.worker.unref();
    }
  }

  private checkBudgets(): void {
    const now = Date.now();
    for (const slot of [...this.slots]) {
      const seq = Atomics.load(slot.progress, 0);
      if (seq !== slot.watched.seq) {
        slot.watched = { seq, since: now };
        continue;
      }
      if (seq < 0 || now - slot.watched.since <= this.budgetMs) continue;
      const job = slot.inFlight.get(seq);
      slot.inFlight.delete(seq);
      this.retire(slot);
      job?.resolve({
        ok: false,
        reason: 'timeout',
        message: `the parser did not finish within ${this.budgetMs} ms`,
      });
    }
    this.pump();
  }

  /** Stop a worker; everything it had not answered goes back to the front of the queue. */
  private retire(slot: Slot): void {
    this.slots = this.slots.filter((s) => s !== slot);
    void slot.worker.terminate();
    const retry = [...slot.inFlight.values()];
    slot.inFlight.clear();
    this.queue.unshift(...retry);
    this.queue.sort((a, b) => a.seq - b.seq);
  }

  private failSlot(slot: Slot, message: string): void {
    this.slots = this.slots.filter((s) => s !== slot);
    for (const job of slot.inFlight.values()) job.resolve({ ok: false, reason: 'syntax', message });
    slot.inFlight.clear();
  }
}

let shared: ParserPool | undefined;

/** One pool per process, started on first use. */
export function sharedParser(): ParserPool {
  shared ??= new ParserPool();
  return shared;
}
