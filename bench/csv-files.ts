/**
 * The bench CSVs in `.bench/data/`: generated once per (size, seed, generator version) and reused
 * while the file still has the recorded size. Every size is a prefix of the same row stream, so
 * all missing sizes are written in one pass. A sidecar JSON records what a run checks against.
 */
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { HEADER, rowMaker } from './csv-rows.js';
import { DATA_DIR } from './paths.js';

/** Bump when the rows change, so that stale files are regenerated. */
const GENERATOR_VERSION = 2;
export const SEED = 20261122;
const MB = 1_000_000;
const WRITE_BATCH_BYTES = 4 * 1024 * 1024;

export interface CsvFile {
  readonly sizeMb: number;
  /** Key in the landing "bucket" (`.bench/data`), under the contracts' `data/` prefix. */
  readonly key: string;
  readonly path: string;
  readonly bytes: number;
  /** Data rows (the header excluded). */
  readonly rows: number;
  /** Line breaks in the file: header, rows, and those inside quoted fields. */
  readonly newlines: number;
  readonly seed: number;
  readonly version: number;
  /** True when an earlier run's file was used. */
  readonly reused: boolean;
}

function fileFor(sizeMb: number): { key: string; path: string; meta: string } {
  const name = `bench-${sizeMb}MB-s${SEED}-v${GENERATOR_VERSION}`;
  return {
    key: `data/${name}.csv`,
    path: join(DATA_DIR, 'data', `${name}.csv`),
    meta: join(DATA_DIR, 'data', `${name}.json`),
  };
}

function reusable(sizeMb: number): CsvFile | undefined {
  const { path, meta } = fileFor(sizeMb);
  if (!existsSync(path) || !existsSync(meta)) return undefined;
  const recorded = JSON.parse(readFileSync(meta, 'utf8')) as Omit<CsvFile, 'path' | 'reused'>;
  const ok =
    recorded.seed === SEED &&
    recorded.version === GENERATOR_VERSION &&
    recorded.sizeMb === sizeMb &&
    statSync(path).size === recorded.bytes;
  return ok ? { ...recorded, path, reused: true } : undefined;
}

/**
 * One output file being written: rows go to it until it reaches its size (the last row crosses
 * it). Rows are copied into a buffer at once, so that the many-piece strings a row is built from
 * die young instead of piling up in a batch for the garbage collector.
 */
class Target {
  readonly fd: number;
  private readonly buf = Buffer.allocUnsafe(WRITE_BATCH_BYTES);
  private pos = 0;
  bytes = 0;
  rows = 0;
  newlines = 1;
  done = false;

  constructor(
    readonly sizeMb: number,
    readonly path: string,
  ) {
    this.fd = openSync(path, 'w');
    const header = HEADER.join(',');
    this.add(header, Buffer.byteLength(header));
  }

  add(text: string, bytes: number): void {
    if (this.pos + bytes + 1 > this.buf.length) this.flush();
    if (bytes + 1 > this.buf.length) throw new Error('row longer than the write buffer');
    this.pos += this.buf.write(text, this.pos, 'utf8');
    this.buf[this.pos++] = 10;
  }

  private flush(): void {
    let off = 0;
    while (off < this.pos) off += writeSync(this.fd, this.buf, off, this.pos - off);
    this.bytes += this.pos;
    this.pos = 0;
  }

  /** Whether the next row still belongs in this file. */
  wants(): boolean {
    return this.bytes + this.pos < this.sizeMb * MB;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
    this.done = true;
  }
}

function generate(sizesMb: readonly number[]): void {
  mkdirSync(join(DATA_DIR, 'data'), { recursive: true });
  const targets = sizesMb.map((s) => new Target(s, fileFor(s).path));
  const next = rowMaker(SEED);
  try {
    let open = targets.filter((t) => t.wants());
    while (open.length) {
      const row = next();
      for (const t of open) {
        t.add(row.text, row.bytes);
        t.rows++;
        t.newlines += 1 + row.innerBreaks;
      }
      if (open.some((t) => !t.wants())) {
        for (const t of open) if (!t.wants()) t.close();
        open = open.filter((t) => !t.done);
      }
    }
  } finally {
    for (const t of targets) if (!t.done) t.close();
  }
  for (const t of targets) {
    const { key, meta } = fileFor(t.sizeMb);
    const recorded = {
      sizeMb: t.sizeMb,
      key,
      bytes: t.bytes,
      rows: t.rows,
      newlines: t.newlines,
      seed: SEED,
      version: GENERATOR_VERSION,
    };
    writeFileSync(meta, `${JSON.stringify(recorded, null, 2)}\n`);
  }
}

/** The bench CSVs of these sizes: reused when present and intact, the others generated now. */
export function csvFiles(sizesMb: readonly number[]): CsvFile[] {
  const missing = sizesMb.filter((s) => !reusable(s));
  if (missing.length) generate(missing);
  return sizesMb.map((s) => {
    const file = reusable(s);
    if (!file) throw new Error(`bench CSV of ${s} MB was not written as recorded`);
    return { ...file, reused: !missing.includes(s) };
  });
}
