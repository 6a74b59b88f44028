import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Contract, parseContract } from '../../lambdas/core/contract.js';
import { gunzip, textOf, utf8Chunks } from '../../lambdas/core/csv/decode.js';
import { readCsv } from '../../lambdas/core/csv/reader.js';
import { CsvChunk } from '../../lambdas/core/csv/scanner.js';
import { ByteSpans, type ColumnValues, NumberValues } from '../../lambdas/core/parquet/index.js';

export const FIXTURES = join(import.meta.dirname, '..', 'fixtures');

/** Bytes of a fixture file under test/fixtures. */
export function fixture(...path: string[]): Buffer {
  return readFileSync(join(FIXTURES, ...path));
}

/** Yields `bytes` in pieces of `size` bytes, as a network stream would. */
export async function* pieces(bytes: Uint8Array, size = 7): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, Math.min(bytes.length, i + size));
}

/** The text's UTF-8 bytes, cut at the given characters (taken modulo the text's length). */
export async function* inPieces(text: string, cuts: number[]): AsyncGenerator<Uint8Array> {
  let from = 0;
  for (const cut of [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b)) {
    if (cut > from) yield Buffer.from(text.slice(from, cut));
    from = Math.max(from, cut);
  }
  if (from < text.length) yield Buffer.from(text.slice(from));
}

/** All records of a CSV byte stream (as text) with their start lines and problems. */
export async function parseAll(
  bytes: Uint8Array,
  options: { chunk?: number; gzip?: boolean; maxRecordChars?: number } = {},
): Promise<{ records: string[][]; lines: number[]; problems: string[] }> {
  let source: AsyncIterable<Uint8Array> = pieces(bytes, options.chunk ?? 7);
  if (options.gzip) source = gunzip(source);
  const out = { records: [] as string[][], lines: [] as number[], problems: [] as string[] };
  for await (const chunk of readCsv(utf8Chunks(source), {
    delimiter: ',',
    quoteChar: '"',
    maxRecordChars: options.maxRecordChars ?? 1_000_000,
  })) {
    for (let i = 0; i < chunk.count; i++) {
      out.records.push(chunk.fields(i).map(textOf));
      out.lines.push(chunk.lines[i]!);
      const p = chunk.problems.get(i);
      if (p) out.problems.push(`${chunk.lines[i]}: ${p}`);
    }
  }
  return out;
}

/** A contract for tests: two string columns id and name unless overridden. */
export function testContract(overrides: Record<string, unknown> = {}): Contract {
  return parseContract(
    {
      ingestion_key: 'things',
      sources: [{ prefix: 'things/', suffix: '.csv' }],
      columns: [{ name: 'id' }, { name: 'name' }],
      ...overrides,
    },
    'things (test)',
  );
}

/** A CsvChunk holding `records` (given as text), as the reader would hand them on. */
export function chunkOf(records: readonly (readonly string[])[]): CsvChunk {
  const parts: Buffer[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  const firstField: number[] = [];
  let at = 0;
  for (const record of records) {
    firstField.push(starts.length);
    for (const field of record) {
      const bytes = Buffer.from(field);
      parts.push(bytes);
      starts.push(at);
      at += bytes.length;
      ends.push(at);
    }
  }
  firstField.push(starts.length);
  const bytes = Buffer.concat(parts);
  return new CsvChunk(
    new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length),
    records.length,
    Int32Array.from(records, (_, i) => i + 1),
    new Map(),
    Int32Array.from(starts),
    Int32Array.from(ends),
    Int32Array.from(firstField),
    at,
  );
}

/** A block's columns as plain arrays: spans and byte text become text, numbers values (of `contract`'s types). */
export function blockAsText(block: readonly ColumnValues[], contract: Contract): unknown[][] {
  return block.map((column, c) => {
    if (column instanceof NumberValues) {
      const asBoolean = contract.columns[c]?.type === 'boolean';
      return Array.from({ length: column.length }, (_, i) =>
        column.present[i] === 0 ? null : asBoolean ? column.values[i] === 1 : column.values[i],
      );
    }
    if (column instanceof ByteSpans) {
      return Array.from({ length: column.length }, (_, i) =>
        column.starts[i]! < 0
          ? null
          : Buffer.from(column.bytes.subarray(column.starts[i]!, column.ends[i]!)).toString('utf8'),
      );
    }
    return (column as unknown[]).map((v) => (typeof v === 'string' ? textOf(v) : v));
  });
}
