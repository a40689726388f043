// SQL analysis throughput and memory.
// 1. 10,000 mixed DDL/DML statements: sqlgate's analysis (split + classify + AST in a worker +
//    facts) against node-sql-parser's astify alone on the same statements, in this process.
// 2. A 50 MB INSERT-heavy data migration, streamed: time and peak memory against reading and
//    splitting the same file alone. Each side runs in a fresh child process so peak RSS is its own.
import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { ParserPool } from '../src/parser/pool.js';
import { analyseSql } from '../src/sql/analyse.js';
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
  const astifyOnly = await median(runs, () => {
    for (const s of statements) parser.astify(s, { database: 'MySQL' });
  });
  const full = await median(runs, () => analyseSql(script, pool));
  const oneWorker = await median(runs, () => analyseSql(script, single));
  const splitOnly = await median(runs, () => splitStatements(script));
  await pool.close();
  await single.close();
  report('analysis throughput: 10,000 mixed DDL/DML statements', [
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
    ['ratio analyseSql / astify (default pool)', `${(full / astifyOnly).toFixed(3)}x`],
    ['ratio analyseSql / astify (one worker)', `${(oneWorker / astifyOnly).toFixed(3)}x`],
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
  await dataFile();
}

if (process.argv[2] === 'child') await child(process.argv[3] as string, process.argv[4] as string);
else if (import.meta.url === `file://${process.argv[1]}`) await benchAnalysis();
