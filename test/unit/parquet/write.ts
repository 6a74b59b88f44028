import {
  type ColumnValues,
  type ParquetColumn,
  ParquetWriter,
  type ParquetWriterOptions,
} from '../../../lambdas/core/parquet/index.js';

/** Writes row groups (column-major values) to memory and returns the file's bytes. */
export async function writeParquet(
  columns: readonly ParquetColumn[],
  groups: readonly (readonly ColumnValues[])[],
  options?: ParquetWriterOptions,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const writer = new ParquetWriter(
    { write: (chunk) => void chunks.push(Buffer.from(chunk)) },
    columns,
    options,
  );
  for (const values of groups) await writer.writeRowGroup(values, values[0]?.length ?? 0);
  const totals = await writer.close();
  const bytes = Buffer.concat(chunks);
  if (totals.bytes !== bytes.length)
    throw new Error(`close() reported ${totals.bytes} bytes, sink got ${bytes.length}`);
  return bytes;
}

/** A nullable or required column of the given type. */
export const col = (name: string, type: ParquetColumn['type'], nullable = true): ParquetColumn => ({
  name,
  type,
  nullable,
});
