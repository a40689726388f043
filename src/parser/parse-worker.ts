// Worker entry: parses batches and publishes the sequence number it is working on, so the pool
// can tell a statement that hangs the parser (node-sql-parser#1848) and terminate the worker.
import { parentPort, workerData } from 'node:worker_threads';
import type { ParseRequest } from '../sql/analyse.js';
import { parseOne } from './parse-one.js';

const progress = new Int32Array(workerData.progress as SharedArrayBuffer);

// The parser's first statement in a fresh thread pays for compiling its grammar; pay it here,
// before any statement's time budget runs, so a cold worker does not time out a simple statement.
parseOne({ text: 'ALTER TABLE t ADD COLUMN c INT; SELECT a FROM t WHERE b = 1', type: 'OTHER' });

parentPort?.on('message', (batch: { seq: number; request: ParseRequest }[]) => {
  const replies = batch.map(({ seq, request }) => {
    Atomics.store(progress, 0, seq);
    return { seq, reply: parseOne(request) };
  });
  Atomics.store(progress, 0, -1);
  parentPort?.postMessage(replies);
});
