import type { Contract } from './contract.js';
import { byteTextOf, gunzip, textOf, utf8Chunks } from './csv/decode.js';
import { toUtf8 } from './csv/encoding.js';
import { type CsvChunk, readCsv } from './csv/reader.js';
import { DataError } from './errors.js';
import { type ColumnValues, NumberValues, type ParquetColumn, ParquetWriter } from './parquet/index.js';
import type { ObjectWriter } from './ports.js';
import { hasDrift, RESCUED_DATA_COLUMN, type SchemaDrift, usesRescue } from './schema-evolution.js';
import { checkHeaderRemembered, type HeaderMapping, unmappedHeader } from './validate/header.js';
import { RowConverter } from './validate/rows.js';

/** Lineage columns appended to every bronze row (DESIGN.md invariant 3). */
export const LINEAGE_COLUMNS: readonly ParquetColumn[] = [
  { name: '_source_file', type: 'string', nullable: false },
  { name: '_source_etag', type: 'string', nullable: false },
  { name: '_source_row', type: 'int64', nullable: false },
  { name: '_ingested_at', type: 'timestamp_micros', nullable: false },
  { name: '_run_id', type: 'string', nullable: false },
];

/**
 * A row group is ended at the contract's row count, or earlier at this many characters or fields:
 * the writer holds a group's encoded pages (about its text, less compression) and 4 bytes per
 * field of dictionary indices until the group ends, so these caps bound that whatever the file.
 */
const MAX_GROUP_CHARS = 8 * 1024 * 1024;
const MAX_GROUP_FIELDS = 1_000_000;
/**
 * Converted rows are handed to the Parquet writer this many at a time. The writer encodes them at
 * once and keeps none, so the field strings die while still in the young generation: holding a
 * whole row group of them got them copied by every scavenge and then collected from old space.
 * The writer visits a block once per column, so a block's strings (about 500 bytes a row with
 * their arrays and text) should stay in the core's cache: 512 rows ran the benchmark about 10%
 * faster than 2048.
 */
const BLOCK_ROWS = 512;
/** The bronze Parquet schema of a dataset: its contract columns, `_rescued_data` when it rescues, then lineage. */
export function bronzeColumns(contract: Contract): ParquetColumn[] {
  return [
    ...contract.columns.map(
      (c): ParquetColumn =>
        c.type === 'decimal'
          ? { name: c.name, type: 'decimal', nullable: c.nullable, precision: c.precision, scale: c.scale }
          : {
              name: c.name,
              type: c.type === 'timestamp' ? 'timestamp_micros' : c.type,
              nullable: c.nullable,
            },
    ),
    ...(usesRescue(contract) ? [{ name: RESCUED_DATA_COLUMN, type: 'string' as const, nullable: true }] : []),
    ...LINEAGE_COLUMNS,
  ];
}

const bronzeSchemas = new WeakMap<Contract, readonly ParquetColumn[]>();

/** bronzeColumns, made once per contract: the writer keys its reusable buffers on the schema. */
function bronzeSchemaOf(contract: Contract): readonly ParquetColumn[] {
  let columns = bronzeSchemas.get(contract);
  if (!columns) {
    columns = Object.freeze(bronzeColumns(contract).map((c) => Object.freeze(c)));
    bronzeSchemas.set(contract, columns);
  }
  return columns;
}

export interface ConvertInput {
  readonly contract: Contract;
  readonly source: AsyncIterable<Uint8Array>;
  readonly gzip: boolean;
  readonly lineage: {
    readonly sourceFile: string;
    readonly etag: string;
    readonly runId: string;
    readonly ingestedAt: Date;
  };
  /** Opens the bronze object; called only once there is a first row to write. */
  readonly openBronze: () => Promise<ObjectWriter>;
  /** Receives each bad row set aside under `quarantine_rows`. */
  readonly onBadRow: (line: number, reason: string, fields: readonly string[]) => Promise<void>;
  /** Parquet footer key-value metadata. */
  readonly metadata: Record<string, string>;
  /**
   * Validation: every bad row reaches `onBadRow` whatever the policy, and the policy's verdict
   * is given only at the end. Ingestion stops looking at rows once the file is rejected.
   */
  readonly inspectAll?: boolean;
}

type ErrorPolicy = Contract['error_policy'];

/** The verdict of the contract's error policy on a file's counts: the rejection, or undefined. */
export function policyRejection(
  policy: ErrorPolicy,
  counts: {
    readonly badRows: number;
    readonly dataRows: number;
    /** False when bad rows stopped being counted once the verdict was known. */
    readonly allCounted?: boolean;
  },
  firstProblem: DataError | undefined,
): DataError | undefined {
  const { badRows, dataRows } = counts;
  const atLeast = counts.allCounted === false ? 'at least ' : '';
  if (badRows === 0 || !firstProblem) return undefined;
  if (policy.mode === 'abort') return firstProblem;
  let limit: string | undefined;
  if (policy.max_bad_rows !== undefined && badRows > policy.max_bad_rows)
    limit = `limit ${policy.max_bad_rows} rows`;
  else if (
    policy.max_bad_rows_percent !== undefined &&
    (badRows / Math.max(dataRows, 1)) * 100 > policy.max_bad_rows_percent
  ) {
    limit = `limit ${policy.max_bad_rows_percent}%`;
  }
  if (!limit) return undefined;
  return new DataError(
    'TOO_MANY_BAD_ROWS',
    `${atLeast}${badRows} of ${dataRows} data rows are bad (${limit}); first: ${firstProblem.message}`,
    {
      line: firstProblem.line,
    },
  );
}

export interface ConvertResult {
  readonly dataRows: number;
  readonly rowsIngested: number;
  readonly rowsRejected: number;
  readonly sourceBytes: number;
  readonly rowGroups: number;
  /** The completed bronze object, when any row was written. */
  readonly bronzeEtag?: string;
  /** Columns missing or unexpected, and values rescued, under the schema evolution policy. */
  readonly drift: SchemaDrift;
}

/** Raised for a data problem after counting: carries the counts for the quarantine report. */
export class FileRejectedError extends DataError {
  constructor(
    cause: DataError,
    /** Data rows read before the verdict (all of them, unless the bytes could not be read on). */
    readonly dataRows: number,
  ) {
    super(cause.code, cause.message, { line: cause.line, cause });
    this.name = 'FileRejectedError';
  }
}

/**
 * `_ingested_at` for a block of n rows: one time, as numbers of microseconds while they are exact
 * (until the year 2255), else as bigints.
 */
function ingestedAtColumn(at: Date, everyRow: Uint8Array): (n: number) => ColumnValues {
  const micros = at.getTime() * 1000;
  if (!Number.isSafeInteger(micros)) {
    const big = BigInt(at.getTime()) * 1000n;
    return (n) => new Array<bigint>(n).fill(big);
  }
  const values = new Float64Array(everyRow.length).fill(micros);
  return (n) => new NumberValues(values, everyRow, n);
}

async function* counting(
  source: AsyncIterable<Uint8Array>,
  total: { bytes: number },
): AsyncGenerator<Uint8Array> {
  for await (const chunk of source) {
    total.bytes += chunk.length;
    yield chunk;
  }
}

/**
 * Streams one CSV file into bronze Parquet: decode, parse, check the header, convert rows,
 * hand rows to the writer in blocks, end row groups as they fill. Memory is bounded by a block of
 * rows, the writer's encoded row group and the writer's part.
 * Throws FileRejectedError for data problems (the bronze upload is aborted first).
 */
export async function convertToBronze(input: ConvertInput): Promise<ConvertResult> {
  const { contract } = input;
  const policy = contract.error_policy;
  const total = { bytes: 0 };
  let bytes: AsyncIterable<Uint8Array> = counting(input.source, total);
  if (input.gzip) bytes = gunzip(bytes);
  const chunks = readCsv(utf8Chunks(toUtf8(bytes, contract.encoding)), {
    delimiter: contract.delimiter,
    quoteChar: contract.quote_char,
    maxRecordChars: contract.limits.max_record_bytes,
  });

  // The contract's columns and, for a dataset that rescues, `_rescued_data`.
  const width = contract.columns.length + (usesRescue(contract) ? 1 : 0);
  // The block's line numbers and load time as numbers, in arrays reused by every block (the
  // writer reads them before appendRows returns): nothing allocated per row or block.
  const sourceRows = new Float64Array(BLOCK_ROWS);
  const everyRow = new Uint8Array(BLOCK_ROWS).fill(1);
  let blockRows = 0;
  const ingestedAt = ingestedAtColumn(input.lineage.ingestedAt, everyRow);
  let groupRows = 0;
  let groupChars = 0;
  let mapping: HeaderMapping | undefined;
  let converter: RowConverter | undefined;
  let dataRows = 0;
  let rowsIngested = 0;
  let badRows = 0;
  let rowGroups = 0;
  let firstProblem: DataError | undefined;
  let writer: ObjectWriter | undefined;
  let parquet: ParquetWriter | undefined;

  // String values reach the writer as UTF-8 bytes, the lineage strings as byte text (see utf8Chunks).
  const sourceFile = byteTextOf(input.lineage.sourceFile);
  const etag = byteTextOf(input.lineage.etag);
  const runId = byteTextOf(input.lineage.runId);
  // Made per block: blocks end with the reader's chunks, so their sizes vary and a cache of one
  // size would rarely be hit. Three fills of about 500 rows per block: four such fills took 18 ms
  // over the 1,550 blocks of the 100 MB bench file, under 1% of its time.
  const lineageStrings = (n: number): unknown[][] => [
    new Array(n).fill(sourceFile),
    new Array(n).fill(etag),
    new Array(n).fill(runId),
  ];

  const appendBlock = async (): Promise<void> => {
    const n = blockRows;
    if (n === 0) return;
    // The bronze object is opened by the first write, when the first row group ends, so a file
    // rejected before then never creates one.
    parquet ??= new ParquetWriter(
      {
        write: async (chunk) => {
          writer ??= await input.openBronze();
          await writer.write(chunk);
        },
      },
      bronzeSchemaOf(contract),
      { compression: contract.bronze.compression, byteStrings: true },
    );
    const [file, etag, runId] = lineageStrings(n);
    const lines = new NumberValues(sourceRows, everyRow, n);
    const values = [...converter!.takeBlock(), file, etag, lines, ingestedAt(n), runId] as ColumnValues[];
    blockRows = 0;
    await parquet.appendRows(values, n);
  };

  const endRowGroup = async (): Promise<void> => {
    await appendBlock();
    if (groupRows === 0) return;
    await parquet!.endRowGroup();
    rowGroups++;
    groupRows = 0;
    groupChars = 0;
  };

  // Called from the row loop whenever a block is full: the loop then makes one call that runs
  // from the first block on, rather than one that first runs when a row group fills (50,000 rows
  // in): V8 compiles the loop before that, and a call it has never seen run deoptimizes the whole
  // of this function when first made, which is then compiled again.
  const blockFull = async (): Promise<void> => {
    if (groupRows >= maxGroupRows || groupChars >= MAX_GROUP_CHARS) await endRowGroup();
    else await appendBlock();
  };

  // Once the file is known to be rejected, the rest is only counted, so that the report and
  // the ledger can say how many data rows the file held.
  let rejection: DataError | undefined;
  let stoppedEarly = false;
  const fieldsPerRow = width + LINEAGE_COLUMNS.length;
  const maxGroupRows = Math.min(contract.bronze.row_group_rows, Math.floor(MAX_GROUP_FIELDS / fieldsPerRow));

  const convertChunk = async (chunk: CsvChunk): Promise<void> => {
    const { lines, problems } = chunk;
    const charsPerRecord = Math.ceil(chunk.chars / chunk.count);
    // Byte text: no field of a chunk is longer than the chunk's bytes.
    const fieldsFit = chunk.chars <= contract.limits.max_field_bytes;
    for (let i = 0; i < chunk.count; i++) {
      if (!mapping) {
        try {
          mapping = checkHeaderRemembered(chunk.fields(i).map(textOf), contract);
        } catch (e) {
          if (!(e instanceof DataError)) throw e;
          rejection = e;
          mapping = unmappedHeader(chunk.fieldCount(i));
        }
        converter = new RowConverter(contract, mapping);
        continue;
      }
      dataRows++;
      if (rejection || stoppedEarly) continue;
      const line = lines[i]!;
      const problem = (problems.size ? problems.get(i) : undefined) ?? converter!.append(chunk, i, fieldsFit);
      if (problem === undefined) {
        sourceRows[blockRows++] = line;
        groupRows++;
        groupChars += charsPerRecord;
        if (blockRows >= BLOCK_ROWS || groupRows >= maxGroupRows || groupChars >= MAX_GROUP_CHARS)
          await blockFull();
        continue;
      }
      badRows++;
      firstProblem ??= new DataError('BAD_ROW', `line ${line}: ${problem}`, { line });
      if (input.inspectAll) {
        await input.onBadRow(line, problem, chunk.fields(i).map(textOf));
        continue;
      }
      // Abort and a count limit decide now (the rest is only counted); a percentage at the end.
      if (policy.mode === 'abort' || (policy.max_bad_rows !== undefined && badRows > policy.max_bad_rows)) {
        stoppedEarly = true;
        continue;
      }
      await input.onBadRow(line, problem, chunk.fields(i).map(textOf));
    }
  };

  try {
    try {
      for await (const chunk of chunks) {
        await convertChunk(chunk);
        // The reader reuses the chunk's bytes for the next one, and the block's strings are spans of them.
        if (blockRows) await blockFull();
      }
    } catch (e) {
      // Undecodable bytes or a runaway record: nothing after it can be read, so counts stop here.
      if (e instanceof DataError) throw new FileRejectedError(e, dataRows);
      throw e;
    }
    if (!mapping) {
      const message = total.bytes === 0 ? 'file is empty (0 bytes)' : 'file has no header line';
      throw new FileRejectedError(new DataError('EMPTY', message, { line: 1 }), 0);
    }
    rejection ??= policyRejection(policy, { badRows, dataRows, allCounted: !stoppedEarly }, firstProblem);
    if (rejection) throw new FileRejectedError(rejection, dataRows);
    await endRowGroup();
    rowsIngested = dataRows - badRows;
    const drift: SchemaDrift = {
      columnsMissing: mapping.missing,
      columnsUnexpected: mapping.extra,
      valuesRescued: converter?.rescuedValues() ?? {},
    };
    let bronzeEtag: string | undefined;
    if (parquet && writer) {
      await parquet.close({
        ...input.metadata,
        rows_ingested: String(rowsIngested),
        rows_rejected: String(badRows),
        // What `bronze reconcile` needs to restore the ledger's drift attributes.
        ...(hasDrift(drift) ? { schema_drift: JSON.stringify(drift) } : {}),
      });
      bronzeEtag = (await writer.complete()).etag;
    }
    return {
      dataRows,
      rowsIngested,
      rowsRejected: badRows,
      sourceBytes: total.bytes,
      rowGroups,
      bronzeEtag,
      drift,
    };
  } catch (e) {
    await writer?.abort().catch(() => undefined);
    throw e;
  }
}
