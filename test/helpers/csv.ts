import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Contract, parseContract } from '../../lambdas/core/contract.js';
import { gunzip, textOf, utf8ByteText } from '../../lambdas/core/csv/decode.js';
import { readCsv } from '../../lambdas/core/csv/reader.js';

export const FIXTURES = join(import.meta.dirname, '..', 'fixtures');

/** Bytes of a fixture file under test/fixtures. */
export function fixture(...path: string[]): Buffer {
  return readFileSync(join(FIXTURES, ...path));
}

/** Yields `bytes` in pieces of `size` bytes, as a network stream would. */
export async function* pieces(bytes: Uint8Array, size = 7): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, Math.min(bytes.length, i + size));
}

/** All records of a CSV byte stream (as text) with their start lines and problems. */
export async function parseAll(
  bytes: Uint8Array,
  options: { chunk?: number; gzip?: boolean; maxRecordChars?: number } = {},
): Promise<{ records: string[][]; lines: number[]; problems: string[] }> {
  let source: AsyncIterable<Uint8Array> = pieces(bytes, options.chunk ?? 7);
  if (options.gzip) source = gunzip(source);
  const out = { records: [] as string[][], lines: [] as number[], problems: [] as string[] };
  for await (const chunk of readCsv(utf8ByteText(source), {
    delimiter: ',',
    quoteChar: '"',
    maxRecordChars: options.maxRecordChars ?? 1_000_000,
  })) {
    chunk.records.forEach((r, i) => {
      out.records.push(r.map(textOf));
      out.lines.push(chunk.lines[i]!);
      const p = chunk.problems.get(i);
      if (p) out.problems.push(`${chunk.lines[i]}: ${p}`);
    });
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
