// Small timing helpers shared by the benchmarks: medians of repeated runs in one process, so
// machine noise hits both sides of every ratio alike.
import { performance } from 'node:perf_hooks';

export async function median(runs: number, fn: () => unknown | Promise<unknown>): Promise<number> {
  await fn(); // warm-up: JIT and caches
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await fn();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] as number;
}

export function report(title: string, rows: [string, string][]): void {
  console.log(`\n## ${title}`);
  const width = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`);
}

export const ms = (n: number) => `${n.toFixed(2)} ms`;
