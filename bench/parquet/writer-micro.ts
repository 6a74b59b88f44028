/**
 * Scratch microbenchmark of the Parquet writer alone: CSV-like text is generated and parsed with
 * papaparse per row group (so the strings look like the ones the engine passes), and only
 * writeRowGroup/close are timed, into a sink that drops the bytes.
 *
 *   npx tsx bench/parquet/writer-micro.ts                 # all configurations, median of 3 runs each
 *   npx tsx bench/parquet/writer-micro.ts --one snappy dict 1000000 50000
 */
import { spawnSync } from 'node:child_process';
import { PerformanceObserver } from 'node:perf_hooks';
import type { ParquetCompression } from '../../lambdas/core/parquet/index.js';
import { ParquetWriter } from '../../lambdas/core/parquet/index.js';
import { csvLines, parsedColumns } from './data.js';

interface Result {
  config: string;
  sourceMB: number;
  writerMBs: number;
  writerCpuMBs: number;
  rowsPerS: number;
  parseMBs: number;
  outMB: number;
  rssMB: number;
  /** Share of the writer's time spent in garbage collection (of everything live, mostly parsed strings). */
  writerGcShare: number;
  gcCount: number;
}

const gcs: { start: number; end: number }[] = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcs.push({ start: e.startTime, end: e.startTime + e.duration });
}).observe({ entryTypes: ['gc'] });

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

async function one(
  compression: ParquetCompression | 'parse-only',
  dict: boolean,
  rows: number,
  groupRows: number,
): Promise<Result> {
  const columns = Array.from({ length: 12 }, (_, i) => ({
    name: `c${i}`,
    type: 'string' as const,
    nullable: true,
  }));
  let out = 0;
  const writer =
    compression === 'parse-only'
      ? { writeRowGroup: async () => {}, close: async () => ({ rows: 0, bytes: 0 }) }
      : new ParquetWriter(
          {
            write: (c) => {
              out += c.length;
            },
          },
          columns,
          {
            compression,
            dictionary: dict,
            ...(process.env.PAGE_SIZE ? { pageSizeBytes: Number(process.env.PAGE_SIZE) } : {}),
          },
        );
  let source = 0;
  let writeMs = 0;
  let writeCpuMs = 0;
  let parseMs = 0;
  const writerSpans: { start: number; end: number }[] = [];
  // A few distinct row groups of text, made up front so generating them costs nothing in the loop.
  const texts = Array.from({ length: 4 }, (_, k) => csvLines(k * groupRows, groupRows));
  for (let first = 0, g = 0; first < rows; first += groupRows, g++) {
    const n = Math.min(groupRows, rows - first);
    const full = texts[g % texts.length]!;
    const text = n === groupRows ? full : full.split('\n', n).join('\n');
    source += Buffer.byteLength(text) + 1;
    let t = performance.now();
    const values = parsedColumns(text);
    parseMs += performance.now() - t;
    t = performance.now();
    const c = cpuMs();
    await writer.writeRowGroup(values, n);
    writeMs += performance.now() - t;
    writerSpans.push({ start: t, end: performance.now() });
    writeCpuMs += cpuMs() - c;
  }
  const t = performance.now();
  await writer.close();
  writeMs += performance.now() - t;
  await new Promise((r) => setTimeout(r, 10));
  let gcInWriter = 0;
  for (const gc of gcs) {
    for (const w of writerSpans)
      gcInWriter += Math.max(0, Math.min(gc.end, w.end) - Math.max(gc.start, w.start));
  }
  return {
    writerGcShare: gcInWriter / writeMs,
    gcCount: gcs.length,
    config: compression === 'parse-only' ? compression : `${compression}/${dict ? 'dict' : 'plain'}`,
    sourceMB: source / 1e6,
    writerMBs: source / 1e6 / (writeMs / 1000),
    writerCpuMBs: source / 1e6 / (writeCpuMs / 1000),
    rowsPerS: rows / (writeMs / 1000),
    parseMBs: source / 1e6 / (parseMs / 1000),
    outMB: out / 1e6,
    rssMB: process.resourceUsage().maxRSS / 1024,
  };
}

const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const args = process.argv.slice(2);
if (args[0] === '--one') {
  const [, compression, dict, rows, groupRows] = args;
  const r = await one(
    compression as ParquetCompression | 'parse-only',
    dict === 'dict',
    Number(rows),
    Number(groupRows),
  );
  console.log(JSON.stringify(r));
} else {
  const rows = Number(args[0] ?? 1_000_000);
  const groupRows = Number(args[1] ?? 50_000);
  const repeats = Number(args[2] ?? 3);
  const configs = [
    'parse-only x',
    'snappy dict',
    'snappy plain',
    'none dict',
    'none plain',
    'gzip dict',
    'gzip plain',
  ];
  const results = new Map<string, Result[]>();
  for (let r = 0; r < repeats; r++) {
    for (const config of configs) {
      const run = spawnSync(
        'taskset',
        [
          '-c',
          '0',
          process.execPath,
          '--import',
          'tsx',
          process.argv[1]!,
          '--one',
          ...config.split(' '),
          String(rows),
          String(groupRows),
        ],
        { encoding: 'utf8' },
      );
      const line = run.stdout.trim().split('\n').pop() ?? '';
      if (run.status !== 0 || !line.startsWith('{')) throw new Error(`${config} failed: ${run.stderr}`);
      const result = JSON.parse(line) as Result;
      results.set(result.config, [...(results.get(result.config) ?? []), result]);
    }
  }
  console.log(`${rows} rows x 12 string columns, row groups of ${groupRows}, one core, median of ${repeats}`);
  console.log('config        source MB  writer MB/s (cpu)   rows/s   parse MB/s  out MB  peak RSS MB');
  for (const [config, rs] of results) {
    const m = (f: (r: Result) => number) => median(rs.map(f));
    console.log(
      `${config.padEnd(13)} ${m((r) => r.sourceMB)
        .toFixed(1)
        .padStart(9)} ${m((r) => r.writerMBs)
        .toFixed(0)
        .padStart(12)} (${m((r) => r.writerCpuMBs)
        .toFixed(0)
        .padStart(4)}) ` +
        `${(m((r) => r.rowsPerS) / 1e6).toFixed(2).padStart(7)}M ${m((r) => r.parseMBs)
          .toFixed(0)
          .padStart(11)} ` +
        `${m((r) => r.outMB)
          .toFixed(1)
          .padStart(7)} ${m((r) => r.rssMB)
          .toFixed(0)
          .padStart(12)}`,
    );
  }
}
