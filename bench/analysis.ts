// SQL analysis throughput and memory.
// 1. 10,000 mixed DDL/DML statements: sqlgate's analysis (split + classify + AST in a worker +
//    facts) against node-sql-parser's astify alone on the same statements, in this process.
// 2. Many small files (a kratos-like change: 300 files of 3 statements), analysed together as
//    `plan` does, against astify alone on the same statements.
// 3. A 50 MB INSERT-heavy data migration, streamed: time and peak memory against reading and
//    splitting the same file alone. Each side runs in a fresh child process so peak RSS is its own.
import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { ParserPool } from '../src/parser/pool.js';
import { analyseScripts, analyseSql } from '../src/sql/analyse.js';
import { StatementSplitter, splitStatements } from '../src/sql/split.js';
import { median, ms, report } from './measure.js';

const TEMPLATES = [
  (i: number) =>
    `CREATE TABLE t_${i} (id BIGINT PRIMARY KEY AUTO_INCREMENT, name VARCHAR(64) NOT NULL, created_at DATETIME NOT NULL)`,
  (i: number) =>
    `ALTER TABLE t_${i % 500} ADD COLUMN c_${i} INT NOT NULL DEFAULT 0, ADD INDEX idx_${i} (c_${i})`,
  (i: number) =>
    `INSERT INTO t_${i % 500} (name, created_at) VALUES ('row ${i}', NOW()), ('row ${i + 1}', NOW())`,
  (i: number) =>
    `UPDATE t_${i % 500} SET name = 'renamed ${i}' WHERE id = ${i} AND created_at < '2024-01-01'`,
  (i: number) => `DELETE FROM t_${i % 500} WHERE id IN (${i}, ${i + 1}, ${i + 2})`,
  (i: number) => `CREATE INDEX ix_${i} ON t_${i % 500} (name, created_at)`,
  (i: number) => `DROP TABLE IF EXISTS old_${i}`,
  (i: number) => `ALTER TABLE t_${i % 500} MODIFY COLUMN name VARCHAR(128) NOT NULL`,
];

export function mixedCorpus(n = 10_000): string[] {
  return Array.from({ length: n }, (_, i) => (TEMPLATES[i % TEMPLATES.length] as (i: number) => string)(i));
}

async function throughput(): Promise<void> {
  const statements = mixedCorpus();
  const script = `${statements.join(';\n')};\n`;
  const require = createRequire(import.meta.url);
  const { Parser } = require('node-sql-parser/build/mysql.js') as typeof import('node-sql-parser');
  const parser = new Parser();
  const pool = new ParserPool();
  const single = new ParserPool({ workers: 1 });
  const runs = 7;
  const astify = () => {
    for (const s of statements) parser.astify(s, { database: 'MySQL' });
  };
  const defaultPool = await paired(runs, astify, () => analyseSql(script, pool));
  const one = await paired(runs, astify, () => analyseSql(script, single));
  const astifyOnly = one.reference;
  const full = defaultPool.subject;
  const oneWorker = one.subject;
  const splitOnly = await median(runs, () => splitStatements(script));
  await pool.close();
  await single.close();
  report('analysis throughput: 10,000 mixed DDL/DML statements, paired runs', [
    [
      'astify alone, same statements (reference)',
      `${ms(astifyOnly)}  (${Math.round(statements.length / (astifyOnly / 1000))} statements/s)`,
    ],
    [
      'sqlgate analyseSql, default pool (split + classify + worker AST + facts)',
      `${ms(full)}  (${Math.round(statements.length / (full / 1000))} statements/s)`,
    ],
    [
      'sqlgate analyseSql, one worker',
      `${ms(oneWorker)}  (${Math.round(statements.length / (oneWorker / 1000))} statements/s)`,
    ],
    ['splitting alone', ms(splitOnly)],
    ['ratio analyseSql / astify (default pool)', ratios(defaultPool)],
    ['ratio analyseSql / astify (one worker)', ratios(one)],
  ]);
}

interface Paired {
  readonly reference: number;
  readonly subject: number;
  /** Median of the per-pair wall-time ratios. */
  readonly ratio: number;
  /** Median of the per-pair ratios of CPU time (all threads of the process). */
  readonly cpuRatio: number;
}

/**
 * Runs the reference and the subject alternately and returns the median of each and the median
 * of the per-pair ratios: on a shared machine whose load drifts, neighbours in time see the same
 * load, so the ratio stays meaningful when the absolute times do not. CPU time (both threads)
 * shows the work added, which the load does not stretch.
 */
async function paired(runs: number, reference: () => unknown, subject: () => unknown): Promise<Paired> {
  for (let i = 0; i < 3; i++) {
    await reference(); // warm-up: JIT and caches, on both sides
    await subject();
  }
  const refs: number[] = [];
  const subs: number[] = [];
  const ratios: number[] = [];
  const cpuRatios: number[] = [];
  const timed = async (fn: () => unknown) => {
    const cpu = process.cpuUsage();
    const start = performance.now();
    await fn();
    const used = process.cpuUsage(cpu);
    return { wall: performance.now() - start, cpu: used.user + used.system };
  };
  for (let i = 0; i < runs; i++) {
    const r = await timed(reference);
    const s = await timed(subject);
    refs.push(r.wall);
    subs.push(s.wall);
    ratios.push(s.wall / r.wall);
    cpuRatios.push(s.cpu / r.cpu);
  }
  const mid = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
  return { reference: mid(refs), subject: mid(subs), ratio: mid(ratios), cpuRatio: mid(cpuRatios) };
}

const ratios = (p: Paired) => `${p.ratio.toFixed(3)}x wall, ${p.cpuRatio.toFixed(3)}x CPU`;

/** A kratos-like change: `files` migrations of a CREATE TABLE, a foreign key and an index each. */
export function smallFiles(files = 300): string[][] {
  return Array.from({ length: files }, (_, f) => [
    `CREATE TABLE identity_${f} (id CHAR(36) NOT NULL, nid CHAR(36), created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, PRIMARY KEY (id))`,
    `ALTER TABLE identity_${f} ADD CONSTRAINT identity_${f}_nid_fk FOREIGN KEY (nid) REFERENCES networks (id) ON DELETE CASCADE`,
    `CREATE INDEX identity_${f}_nid_idx ON identity_${f} (nid, created_at)`,
  ]);
}

async function manySmallFiles(): Promise<void> {
  const files = smallFiles();
  const texts = files.map((statements) => `${statements.join(';\n')};\n`);
  const all = files.flat();
  const require = createRequire(import.meta.url);
  const { Parser } = require('node-sql-parser/build/mysql.js') as typeof import('node-sql-parser');
  const parser = new Parser();
  const astify = () => {
    for (const s of all) parser.astify(s, { database: 'MySQL' });
  };
  const single = new ParserPool({ workers: 1 });
  const pool = new ParserPool();
  const runs = 9;
  const together = await paired(runs, astify, () => analyseScripts(texts, single));
  const defaultPool = await paired(runs, astify, () => analyseScripts(texts, pool));
  const fileByFile = await paired(runs, astify, async () => {
    for (const text of texts) await analyseSql(text, single);
  });
  await pool.close();
  await single.close();
  report(`many small files: ${files.length} files of 3 statements (${all.length} statements), paired runs`, [
    ['astify alone, same statements (reference)', ms(together.reference)],
    ['analyseScripts (files together, as plan does), one worker', ms(together.subject)],
    ['analyseScripts, default pool', ms(defaultPool.subject)],
    ['analyseSql file by file (before), one worker', ms(fileByFile.subject)],
    ['ratio files together / astify (one worker)', ratios(together)],
    ['ratio files together / astify (default pool)', ratios(defaultPool)],
    ['ratio file by file / astify (one worker)', ratios(fileByFile)],
  ]);
}

const OUT = fileURLToPath(new URL('./out/', import.meta.url));

function dataMigration(megabytes: number): string {
  const path = `${OUT}data-${megabytes}mb.sql`;
  if (existsSync(path) && statSync(path).size >= megabytes * 1e6) return path;
  mkdirSync(OUT, { recursive: true });
  const parts: string[] = [
    'SET NAMES utf8mb4;\nCREATE TABLE customers (id INT PRIMARY KEY, name VARCHAR(64), email VARCHAR(128), note TEXT);\n',
  ];
  let size = parts[0]?.length ?? 0;
  let id = 0;
  while (size < megabytes * 1e6) {
    const rows: string[] = [];
    for (let r = 0; r < 1000; r++, id++)
      rows.push(
        `(${id}, 'Customer ${id}', 'c${id}@example.com', 'note; with ''quotes'' and \\\\ backslash')`,
      );
    const statement = `INSERT INTO customers (id, name, email, note) VALUES ${rows.join(',')};\n`;
    parts.push(statement);
    size += statement.length;
  }
  writeFileSync(path, parts.join(''));
  return path;
}

/** Runs inside a child: `analyse|split <file>`; prints elapsed ms and peak RSS. */
async function child(mode: string, file: string): Promise<void> {
  const start = performance.now();
  const stream = createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 16 });
  let count = 0;
  if (mode === 'split') {
    const splitter = new StatementSplitter();
    for await (const chunk of stream) count += splitter.push(chunk as string).length;
    count += splitter.end().length;
  } else {
    const pool = new ParserPool();
    count = (await analyseSql(stream as AsyncIterable<string>, pool)).length;
    await pool.close();
  }
  const elapsed = performance.now() - start;
  console.log(JSON.stringify({ elapsed, count, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
}

function runChild(mode: string, file: string): { elapsed: number; count: number; maxRssMb: number } {
  const out = execFileSync(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(import.meta.url), 'child', mode, file],
    { encoding: 'utf8' },
  );
  return JSON.parse(out.trim().split('\n').pop() as string);
}

async function dataFile(): Promise<void> {
  const rows: [string, string][] = [];
  for (const mb of [10, 50]) {
    const file = dataMigration(mb);
    const split = runChild('split', file);
    const analyse = runChild('analyse', file);
    rows.push(
      [
        `${mb} MB: read + split only (reference)`,
        `${ms(split.elapsed)}, peak RSS ${split.maxRssMb.toFixed(0)} MB, ${split.count} statements`,
      ],
      [
        `${mb} MB: sqlgate analyseSql, streamed`,
        `${ms(analyse.elapsed)}, peak RSS ${analyse.maxRssMb.toFixed(0)} MB`,
      ],
      [
        `${mb} MB: ratio analyse / split`,
        `${(analyse.elapsed / split.elapsed).toFixed(2)}x time, ${(analyse.maxRssMb / split.maxRssMb).toFixed(2)}x memory`,
      ],
    );
  }
  report('INSERT-heavy data migration (statements of ~90 KB), streamed from disk', rows);
}

export async function benchAnalysis(): Promise<void> {
  await throughput();
  await manySmallFiles();
  await dataFile();
}

if (process.argv[2] === 'child') await child(process.argv[3] as string, process.argv[4] as string);
else if (process.argv[2] === 'small-files') await manySmallFiles();
else if (import.meta.url === `file://${process.argv[1]}`) await benchAnalysis();
