/** Deterministic CSV-like data for the Parquet writer microbenchmarks. */

import Papa from 'papaparse';
import { ByteBuf } from '../../lambdas/core/parquet/bytes.js';
import { random } from '../csv-rows.js';

const STATUSES = ['active', 'pending', 'closed', 'suspended', 'archived'];
const WORDS =
  'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et dolore magna aliqua'.split(
    ' ',
  );

/** 12 string columns x rows, shaped like a typical CSV export (ints, decimals, timestamps, codes, text, empties). */
export function makeColumns(rows: number, seed = 42): { columns: string[][]; sourceBytes: number } {
  const r = random(seed);
  const cols: string[][] = Array.from({ length: 12 }, () => new Array<string>(rows));
  const countries = Array.from({ length: 60 }, (_, i) => `C${String.fromCharCode(65 + (i % 26))}${i}`);
  let bytes = 0;
  const base = Date.UTC(2024, 0, 1);
  for (let i = 0; i < rows; i++) {
    const v = [
      String(1_000_000 + i),
      (r() * 10000).toFixed(2),
      new Date(base + Math.floor(r() * 3e10)).toISOString().replace('T', ' ').slice(0, 19),
      STATUSES[Math.floor(r() * 5)]!,
      countries[Math.floor(r() * 60)]!,
      `${WORDS[Math.floor(r() * WORDS.length)]} ${WORDS[Math.floor(r() * WORDS.length)]}`,
      `user${Math.floor(r() * 100000)}@example.com`,
      String(Math.floor(r() * 100)),
      r() < 0.2 ? '' : (r() * 500).toFixed(3),
      r() < 0.5 ? 'true' : 'false',
      r() < 0.3
        ? ''
        : `${WORDS[Math.floor(r() * WORDS.length)]}, ${WORDS[Math.floor(r() * WORDS.length)]} ${Math.floor(r() * 1000)}`,
      `${Math.floor(r() * 0xffffffff).toString(16)}-${Math.floor(r() * 0xffff).toString(16)}`,
    ];
    for (let c = 0; c < 12; c++) {
      const s = v[c]!;
      cols[c]![i] = s;
      bytes += s.length + 1;
    }
  }
  return { columns: cols, sourceBytes: bytes };
}

/** CSV text (no header) of rows first..first+n of an endless deterministic 12-column table. */
export function csvLines(first: number, n: number): string {
  const { columns } = makeColumns(n, first + 1);
  const lines = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    let line = '';
    for (let c = 0; c < 12; c++) {
      const s = c === 0 ? String(1_000_000 + first + i) : columns[c]![i]!;
      line += (c ? ',' : '') + (s.includes(',') ? `"${s}"` : s);
    }
    lines[i] = line;
  }
  return lines.join('\n');
}

/** CSV text parsed by papaparse (arrays, as the engine reads) into 12 column arrays. */
export function parsedColumns(text: string): string[][] {
  const records = Papa.parse<string[]>(text, { header: false }).data;
  const values: string[][] = Array.from({ length: 12 }, () => []);
  for (const record of records) for (let c = 0; c < 12; c++) values[c]!.push(record[c]!);
  return values;
}

/** `count` row groups of `groupRows` rows, parsed, with the bytes of CSV text each came from. */
export function parsedGroups(count: number, groupRows: number): { values: string[][]; bytes: number }[] {
  return Array.from({ length: count }, (_, k) => {
    const text = csvLines(k * groupRows, groupRows);
    return { values: parsedColumns(text), bytes: text.length + 1 };
  });
}

/** The columns of `rows` rows as PLAIN-encoded pages of about 1 MiB, for compressor benchmarks. */
export function plainPages(rows: number): { pages: Buffer[]; total: number } {
  const pages: Buffer[] = [];
  let total = 0;
  for (const col of makeColumns(rows).columns) {
    const b = new ByteBuf(1 << 20);
    for (const s of col) {
      const n = Buffer.byteLength(s);
      b.u32le(n);
      b.ensure(n);
      b.pos += b.buf.write(s, b.pos);
      if (b.pos >= 1 << 20) {
        pages.push(Buffer.from(b.view()));
        total += b.pos;
        b.pos = 0;
      }
    }
  }
  return { pages, total };
}
