/**
 * `bronze contract infer <file>`: a contract proposal from a sample file (header, narrowest types,
 * nullability, delimiter, a key), for a person to review and commit; and `bronze contract diff
 * <dataset> <file>`: what a file would do under the current contract (columns missing,
 * unexpected or renamed, values that fail or would be rescued, by line). Neither touches the ledger.
 */
import { createReadStream, createWriteStream, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ColumnSchema, type Contract, parseContract } from '../../lambdas/core/contract.js';
import { gunzip, textOf, utf8Chunks } from '../../lambdas/core/csv/decode.js';
import { type Encoding, toUtf8 } from '../../lambdas/core/csv/encoding.js';
import { readCsv } from '../../lambdas/core/csv/reader.js';
import { DataError } from '../../lambdas/core/errors.js';
import { parseS3Uri } from '../../lambdas/core/ledger.js';
import type { ObjectStore } from '../../lambdas/core/ports.js';
import { BadValue, columnParser, parseDouble } from '../../lambdas/core/validate/values.js';
import { contractNamed } from '../datasets.js';
import { ExitCode, UsageError } from '../errors.js';
import { type Report, renderTable } from '../output.js';
import { validate } from './validate.js';

/** Data rows read by `contract infer` unless told otherwise. */
export const DEFAULT_SAMPLE_ROWS = 10_000;
const DELIMITERS = [',', ';', '\t', '|'] as const;

export interface ContractSourceDeps {
  /** Needed only for `s3://` files. */
  readonly store?: () => ObjectStore;
}

/** Opens a local path or an `s3://bucket/key` URI as a byte stream. */
async function openFile(deps: ContractSourceDeps, file: string): Promise<AsyncIterable<Uint8Array>> {
  if (file.startsWith('s3://')) {
    if (!deps.store) throw new UsageError(`cannot read ${file}: no S3 access configured`);
    const { bucket, key } = parseS3Uri(file);
    return deps.store().read(bucket, key);
  }
  try {
    if (!statSync(file).isFile()) throw new Error('not a regular file');
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as Error).message}`, { cause: e });
  }
  return createReadStream(file);
}

/** A proposed column, with the fields the contract schema agreed on. */
export interface ProposedColumn {
  name: string;
  type: 'string' | 'int32' | 'int64' | 'double' | 'decimal' | 'boolean' | 'date' | 'timestamp';
  nullable: boolean;
  precision?: number;
  scale?: number;
  format?: string;
}

export interface InferData {
  readonly file: string;
  readonly sampledRows: number;
  /** True when the file has more rows than were sampled. */
  readonly truncated: boolean;
  readonly contract: Record<string, unknown>;
}

/** What one column's sampled values all fit, narrowed value by value. */
class ColumnEvidence {
  nonEmpty = 0;
  empty = 0;
  int32 = true;
  int64 = true;
  /** Plain decimals: digits before and after the point. */
  decimal = true;
  intDigits = 0;
  scale = 0;
  double = true;
  boolean = true;
  dates: Set<string> = new Set(DATE_FORMATS);
  timestamps: Set<string> = new Set(TIMESTAMP_FORMATS);
  readonly distinct = new Set<string>();

  add(raw: string): void {
    const v = raw.trim();
    if (v === '') {
      this.empty++;
      return;
    }
    this.nonEmpty++;
    if (this.distinct.size <= DEFAULT_SAMPLE_ROWS) this.distinct.add(v);
    const integer = /^[+-]?\d+$/.test(v);
    if (!integer) this.int32 = this.int64 = false;
    else {
      const n = BigInt(v);
      if (n < -(2n ** 31n) || n >= 2n ** 31n) this.int32 = false;
      if (n < -(2n ** 63n) || n >= 2n ** 63n) this.int64 = false;
    }
    const dec = /^[+-]?(\d*)(?:\.(\d+))?$/.exec(v);
    if (!dec || (dec[1] === '' && dec[2] === undefined)) this.decimal = false;
    else {
      this.intDigits = Math.max(this.intDigits, dec[1]!.replace(/^0+/, '').length);
      this.scale = Math.max(this.scale, dec[2]?.length ?? 0);
    }
    const d = parseDouble(v);
    if (typeof d !== 'number') this.double = false;
    if (!BOOLEAN_SPELLINGS.has(v.toLowerCase())) this.boolean = false;
    for (const f of this.dates) if (!DATE_FORMATS_READ[f]!(v)) this.dates.delete(f);
    for (const f of this.timestamps) if (!TIMESTAMP_FORMATS_READ[f]!(v)) this.timestamps.delete(f);
  }

  /** The narrowest type every non-empty sampled value fits. */
  propose(name: string): ProposedColumn {
    const nullable = this.empty > 0 || this.nonEmpty === 0;
    const column = (type: ProposedColumn['type'], extra: Partial<ProposedColumn> = {}): ProposedColumn => ({
      name,
      type,
      ...extra,
      nullable,
    });
    if (this.nonEmpty === 0) return column('string');
    if (this.boolean) return column('boolean');
    if (this.int32) return column('int32');
    if (this.int64) return column('int64');
    const precision = this.intDigits + this.scale;
    if (this.decimal && precision <= 38)
      return column('decimal', { precision: Math.max(precision, 1), scale: this.scale });
    if (this.double) return column('double');
    const date = [...this.dates][0];
    if (date) return column('date', { format: date });
    const timestamp = [...this.timestamps][0];
    if (timestamp === ISO) return column('timestamp');
    if (timestamp) return column('timestamp', { format: timestamp });
    return column('string');
  }
}

const BOOLEAN_SPELLINGS = new Set(['true', 'false', 'yes', 'no']);

/** A contract with nothing but one column, to ask the engine's own parsers what a value fits. */
const PROBE_CONTRACT = parseContract(
  { ingestion_key: 'probe', sources: [{ prefix: 'probe/' }], columns: [{ name: 'probe' }] },
  'probe (contract infer)',
);

/**
 * Whether a value reads as a column of this type and format: the very parser ingestion uses, so
 * a proposal never names a format the engine would then refuse a sampled value under.
 */
function fitsColumn(type: 'date' | 'timestamp', format?: string): (v: string) => boolean {
  const column = ColumnSchema.parse({ name: 'probe', type, ...(format ? { format } : {}) });
  const parse = columnParser(column, PROBE_CONTRACT);
  return (v) => {
    const value = parse(v);
    return value !== null && !(value instanceof BadValue);
  };
}

const DATE_FORMATS_READ: Readonly<Record<string, (v: string) => boolean>> = Object.fromEntries(
  ['yyyy-MM-dd', 'dd/MM/yyyy', 'MM/dd/yyyy', 'dd.MM.yyyy'].map((f) => [f, fitsColumn('date', f)]),
);
const DATE_FORMATS = Object.keys(DATE_FORMATS_READ);

/** ISO 8601 needs no format: the default timestamp parser reads it. */
const ISO = 'iso';
const TIMESTAMP_FORMATS_READ: Readonly<Record<string, (v: string) => boolean>> = {
  [ISO]: fitsColumn('timestamp'),
  ...Object.fromEntries(
    ['dd/MM/yyyy HH:mm:ss', 'MM/dd/yyyy HH:mm:ss'].map((f) => [f, fitsColumn('timestamp', f)]),
  ),
};
const TIMESTAMP_FORMATS = Object.keys(TIMESTAMP_FORMATS_READ);

/** The delimiter that splits the header line into the most fields. */
export function detectDelimiter(firstLine: string): string {
  let best: string = ',';
  let most = 0;
  for (const d of DELIMITERS) {
    const n = firstLine.split(d).length;
    if (n > most) {
      most = n;
      best = d;
    }
  }
  return best;
}

/** The encoding a file's first bytes suggest: UTF-16 by its byte order mark, else UTF-8. */
function encodingByBom(head: Uint8Array): Encoding {
  if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)) return 'utf-16';
  return 'utf-8';
}

/** The first chunk of a stream, and the stream with that chunk put back. */
async function peek(source: AsyncIterable<Uint8Array>): Promise<[Uint8Array, AsyncIterable<Uint8Array>]> {
  const iterator = source[Symbol.asyncIterator]();
  const first = await iterator.next();
  const head = first.done ? new Uint8Array(0) : first.value;
  async function* rest(): AsyncGenerator<Uint8Array> {
    if (!first.done) yield first.value;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
  }
  return [head, rest()];
}

interface Sample {
  header: string[];
  rows: string[][];
  truncated: boolean;
  delimiter: string;
  encoding: Encoding;
}

/** Reads the header and up to `maxRows` data rows, detecting the encoding and the delimiter. */
async function sampleFile(
  deps: ContractSourceDeps,
  file: string,
  maxRows: number,
  encoding?: Encoding,
): Promise<Sample> {
  let bytes = await openFile(deps, file);
  if (file.toLowerCase().endsWith('.gz')) bytes = gunzip(bytes);
  const [head, source] = await peek(bytes);
  const chosen = encoding ?? encodingByBom(head);
  const [firstLine, rest] = await peekFirstLine(utf8Chunks(toUtf8(source, chosen)));
  const delimiter = detectDelimiter(firstLine);
  const sample: Sample = { header: [], rows: [], truncated: false, delimiter, encoding: chosen };
  try {
    for await (const chunk of readCsv(rest, { delimiter, quoteChar: '"', maxRecordChars: 4_194_304 })) {
      for (let r = 0; r < chunk.count; r++) {
        const record = chunk.fields(r).map(textOf);
        if (!sample.header.length) sample.header = record;
        else if (sample.rows.length < maxRows) sample.rows.push(record);
        else {
          sample.truncated = true;
          return sample;
        }
      }
    }
  } catch (e) {
    // Not UTF-8: a spreadsheet export in windows-1252 is the usual case; read it again as that.
    if (e instanceof DataError && e.code === 'INVALID_UTF8' && encoding === undefined && chosen === 'utf-8')
      return sampleFile(deps, file, maxRows, 'windows-1252');
    throw e;
  }
  return sample;
}

/** The first line's text (up to 64 KiB of it), and the whole source still to read. */
async function peekFirstLine(
  source: AsyncIterable<Uint8Array>,
): Promise<[string, AsyncIterable<Uint8Array>]> {
  const iterator = source[Symbol.asyncIterator]();
  const seen: Uint8Array[] = [];
  let bytes = 0;
  let lineEnd = -1;
  let last: IteratorResult<Uint8Array> | undefined;
  while (lineEnd === -1 && bytes < 64 * 1024) {
    last = await iterator.next();
    if (last.done) break;
    const chunk = Buffer.from(last.value.buffer, last.value.byteOffset, last.value.length);
    const lf = chunk.indexOf(10);
    const cr = chunk.indexOf(13);
    const at = lf === -1 ? cr : cr === -1 ? lf : Math.min(lf, cr);
    if (at !== -1) lineEnd = bytes + at;
    seen.push(chunk);
    bytes += chunk.length;
  }
  const head = Buffer.concat(seen);
  async function* rest(): AsyncGenerator<Uint8Array> {
    yield* seen;
    if (last?.done) return;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
  }
  return [textOf(head.toString('latin1', 0, lineEnd === -1 ? head.length : lineEnd)), rest()];
}

/** A dataset name from a file name: lower case letters, digits and underscores. */
function datasetNameOf(file: string): string {
  const stem = basename(file)
    .replace(/(\.csv)?(\.gz)?$/i, '')
    .toLowerCase();
  const name = stem.replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
  return /^[a-z]/.test(name) ? name.slice(0, 63) : `dataset_${name}`.slice(0, 63);
}

const KEY_NAME = /(^|_)(id|key|code|no|number)$/i;

/** The first column that is never empty, never repeats in the sample, and is named like a key. */
function keyColumn(
  header: readonly string[],
  evidence: readonly ColumnEvidence[],
  rows: number,
): string | undefined {
  const i = header.findIndex(
    (name, c) =>
      KEY_NAME.test(name) && rows > 0 && evidence[c]!.empty === 0 && evidence[c]!.distinct.size === rows,
  );
  return i === -1 ? undefined : header[i];
}

/** Proposes a contract from a sample of the file. Exit 0; the proposal is printed as JSON. */
export async function contractInfer(
  deps: ContractSourceDeps,
  options: { file: string; name?: string; maxRows?: number },
): Promise<Report<InferData>> {
  const maxRows = options.maxRows ?? DEFAULT_SAMPLE_ROWS;
  const sample = await sampleFile(deps, options.file, maxRows);
  if (!sample.header.length) throw new UsageError(`${options.file} has no header line`);
  const evidence = sample.header.map(() => new ColumnEvidence());
  for (const row of sample.rows) {
    row.forEach((v, c) => {
      evidence[c]?.add(v);
    });
  }
  const columns = sample.header.map((name, c) => evidence[c]!.propose(name.trim()));
  const name = options.name ?? datasetNameOf(options.file);
  const key = keyColumn(sample.header, evidence, sample.rows.length);
  const gz = options.file.toLowerCase().endsWith('.gz');
  const contract: Record<string, unknown> = {
    $schema: './contract.schema.json',
    ingestion_key: name,
    sources: [{ bucket: 'landing', prefix: `${name}/`, suffix: gz ? '.csv.gz' : '.csv' }],
    columns,
    ...(sample.delimiter !== ',' ? { delimiter: sample.delimiter } : {}),
    ...(sample.encoding !== 'utf-8' ? { encoding: sample.encoding } : {}),
    ...(key ? { primary_key: [key.trim()] } : {}),
  };
  const data: InferData = {
    file: options.file,
    sampledRows: sample.rows.length,
    truncated: sample.truncated,
    contract,
  };
  return { data, text: `${JSON.stringify(contract, null, 2)}`, exitCode: ExitCode.Ok };
}

export interface DiffData {
  readonly file: string;
  readonly dataset: string;
  readonly missing: string[];
  readonly unexpected: string[];
  /** Missing columns and unexpected ones that look like the same column renamed. */
  readonly renamed: Array<{ readonly from: string; readonly to: string }>;
  /** What the file would do under the contract, as `bronze validate` says it. */
  readonly verdict: string;
  readonly rejection?: { readonly code: string; readonly message: string; readonly line?: number };
  /** Values that fail (bad rows) by line. */
  readonly failing: Array<{ readonly line: number; readonly reason: string }>;
  /** Values the contract's `bad_values: rescue` would keep in `_rescued_data`, by line. */
  readonly rescued: Array<{ readonly line: number; readonly reason: string }>;
}

function normalized(contract: Contract): (name: string) => string {
  return (name) => {
    const n = contract.header.trim_whitespace ? name.trim() : name;
    return contract.header.case_sensitive ? n : n.toLowerCase();
  };
}

/** Edit distance of two short names, for renamed-column candidates. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

/**
 * Pairs a missing column with an unexpected one when they sit at the same position or their names
 * are close (one holds the other, or a few edits apart).
 */
function renamedCandidates(
  header: readonly string[],
  contract: Contract,
  missing: readonly string[],
  unexpected: readonly string[],
): Array<{ from: string; to: string }> {
  const norm = normalized(contract);
  const pairs: Array<{ from: string; to: string }> = [];
  const taken = new Set<string>();
  for (const from of missing) {
    const position = contract.columns.findIndex((c) => c.name === from);
    const a = norm(from);
    const to = unexpected.find((u) => {
      if (taken.has(u)) return false;
      const b = norm(u);
      return header.indexOf(u) === position || a.includes(b) || b.includes(a) || distance(a, b) <= 2;
    });
    if (to) {
      taken.add(to);
      pairs.push({ from, to });
    }
  }
  return pairs;
}

/** Compares a file with a dataset's current contract; exit 2 when anything differs or fails. */
export async function contractDiff(
  deps: ContractSourceDeps & { readonly contracts: readonly Contract[] },
  options: { dataset: string; file: string; maxProblems?: number },
): Promise<Report<DiffData>> {
  const contract = contractNamed(deps.contracts, options.dataset);
  const sample = await sampleFile(deps, options.file, 0, contract.encoding);
  const norm = normalized(contract);
  const present = new Set(sample.header.map(norm));
  const declared = new Set(contract.columns.map((c) => norm(c.name)));
  const missing = contract.columns.filter((c) => !present.has(norm(c.name))).map((c) => c.name);
  const unexpected = sample.header.filter((h) => !declared.has(norm(h)));
  const renamed = renamedCandidates(sample.header, contract, missing, unexpected);
  // Values: the file through the engine's own checks, and again with rescue turned off, so the
  // values rescue would keep are listed by line too.
  const asIs = await validateAny(deps, contract, options);
  const rescues = contract.schema_evolution.bad_values === 'rescue';
  const withoutRescue = rescues
    ? await validateAny(
        deps,
        { ...contract, schema_evolution: { ...contract.schema_evolution, bad_values: 'bad_row' } },
        options,
      )
    : undefined;
  const failingLines = new Set(asIs.problems.map((p) => p.line));
  const data: DiffData = {
    file: options.file,
    dataset: contract.ingestion_key,
    missing,
    unexpected,
    renamed,
    verdict: asIs.verdict,
    ...(asIs.rejection ? { rejection: asIs.rejection } : {}),
    failing: asIs.problems,
    rescued: (withoutRescue?.problems ?? []).filter((p) => !failingLines.has(p.line)),
  };
  const differs =
    missing.length || unexpected.length || data.failing.length || data.rescued.length || data.rejection;
  return { data, text: renderDiff(data), exitCode: differs ? ExitCode.Attention : ExitCode.Ok };
}

/** `bronze validate` over a local file, or an S3 object streamed to it through a temporary copy. */
async function validateAny(
  deps: ContractSourceDeps,
  contract: Contract,
  options: { file: string; maxProblems?: number },
) {
  let path = options.file;
  let cleanup = async (): Promise<void> => undefined;
  if (options.file.startsWith('s3://')) {
    const dir = await mkdtemp(join(tmpdir(), 'bronze-diff-'));
    path = join(dir, basename(parseS3Uri(options.file).key));
    await pipeline(Readable.from(await openFile(deps, options.file)), createWriteStream(path));
    cleanup = () => rm(dir, { recursive: true, force: true });
  }
  try {
    const report = await validate(
      { contracts: [contract] },
      {
        file: path,
        name: options.file,
        dataset: contract.ingestion_key,
        ...(options.maxProblems ? { maxProblems: options.maxProblems } : {}),
      },
    );
    return report.data;
  } finally {
    await cleanup();
  }
}

/** The header differences, then the values by line, then the verdict. */
export function renderDiff(data: DiffData): string {
  const blocks = [`${data.file} against the current contract of ${data.dataset}`];
  const header = [
    ['missing', data.missing.join(', ')],
    ['unexpected', data.unexpected.join(', ')],
    ['renamed?', data.renamed.map((r) => `${r.from} -> ${r.to}`).join(', ')],
  ].filter(([, v]) => v);
  blocks.push(
    header.length ? `header:\n${header.map(([k, v]) => `  ${k}: ${v}`).join('\n')}` : 'header: as declared',
  );
  const values = [
    ...data.failing.map((p) => ({ ...p, outcome: 'fails' })),
    ...data.rescued.map((p) => ({ ...p, outcome: 'rescued' })),
  ].sort((a, b) => a.line - b.line);
  if (values.length) {
    blocks.push(
      renderTable(values, [
        { header: 'LINE', value: (p) => p.line, right: true },
        { header: 'OUTCOME', value: (p) => p.outcome },
        { header: 'PROBLEM', value: (p) => p.reason },
      ]),
    );
  }
  const r = data.rejection;
  blocks.push(`verdict: ${data.verdict}${r ? ` (${r.code}: ${r.message})` : ''}`);
  return blocks.join('\n\n');
}
