import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { ContractError } from './errors.js';
import { keyPatternProblem } from './key-pattern.js';
import { compileDateTimeFormat } from './validate/datetime-format.js';
import { isKnownTimeZone } from './validate/timezone.js';

/** The symbolic bucket name that means "the stack's own landing bucket". */
export const LANDING_BUCKET = 'landing';

// Files are parsed as byte text (lambdas/core/csv/decode.ts), where only ASCII is one character.
const asciiChar = z
  .string()
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the range is all of ASCII, NUL included.
  .regex(/^[\x00-\x7f]$/, 'must be one ASCII character (files are parsed byte by byte)');

const identifier = z
  .string()
  .regex(
    /^[a-z][a-z0-9_]{0,62}$/,
    'must be lower case letters, digits and underscores, starting with a letter',
  );

export const SourceSchema = z
  .object({
    bucket: z
      .string()
      .default(LANDING_BUCKET)
      .describe('"landing" for the stack\'s landing bucket, or the name of an existing bucket'),
    prefix: z
      .string()
      .min(1)
      .refine((p) => !p.startsWith('/'), 'must not start with "/"')
      .describe('key prefix, for example "orders/"'),
    suffix: z.string().default('.csv').describe('key suffix, for example ".csv" or ".csv.gz"'),
  })
  .strict();

export const ColumnTypeSchema = z.enum([
  'string',
  'int32',
  'int64',
  'double',
  'decimal',
  'boolean',
  'date',
  'timestamp',
]);

const nullMarkers = z
  .array(z.string())
  .describe('field values that mean NULL, compared exactly (typed columns: after trimming spaces)');

export const ColumnSchema = z
  .object({
    name: z.string().min(1),
    type: ColumnTypeSchema.default('string').describe(
      'bronze type; values that do not parse make the row bad',
    ),
    nullable: z.boolean().default(true).describe('when false, a NULL value makes the row bad'),
    precision: z
      .number()
      .int()
      .min(1)
      .max(38)
      .optional()
      .describe('decimal: total digits, 1 to 38 (required for decimal)'),
    scale: z
      .number()
      .int()
      .min(0)
      .max(38)
      .optional()
      .describe('decimal: digits after the point, 0 to precision (required for decimal)'),
    format: z
      .string()
      .min(1)
      .optional()
      .describe(
        'date and timestamp: a pattern such as "dd/MM/yyyy" or "MM/dd/yyyy HH:mm:ss" (letters yyyy MM M dd d HH H mm ss S.. X, \'quoted\' literal text), or "epoch_seconds" / "epoch_millis" (timestamp); default ISO 8601',
      ),
    timezone: z
      .string()
      .min(1)
      .optional()
      .describe(
        'timestamp: IANA zone of values that carry no offset, for example "Europe/Paris"; default UTC',
      ),
    true_values: z
      .array(z.string().min(1))
      .min(1)
      .optional()
      .describe('boolean: spellings of true; default true, t, yes, y, 1'),
    false_values: z
      .array(z.string().min(1))
      .min(1)
      .optional()
      .describe('boolean: spellings of false; default false, f, no, n, 0'),
    case_sensitive: z
      .boolean()
      .optional()
      .describe('boolean: compare true_values/false_values with case; default false'),
    null_values: nullMarkers
      .optional()
      .describe("this column's NULL markers, replacing the contract's null_values"),
  })
  .strict()
  .superRefine(checkColumnOptions);

type ColumnInput = {
  type: z.output<typeof ColumnTypeSchema>;
  precision?: number | undefined;
  scale?: number | undefined;
  format?: string | undefined;
  timezone?: string | undefined;
  true_values?: string[] | undefined;
  false_values?: string[] | undefined;
  case_sensitive?: boolean | undefined;
};

/** Type options belong to their type, and are checked here so a bad one fails at load, by name. */
function checkColumnOptions(col: ColumnInput, ctx: z.RefinementCtx): void {
  const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
  const only = (field: keyof ColumnInput, ...types: string[]) => {
    if (col[field] !== undefined && !types.includes(col.type))
      issue(field, `only for type ${types.join(' or ')}, not ${col.type}`);
  };
  only('precision', 'decimal');
  only('scale', 'decimal');
  only('format', 'date', 'timestamp');
  only('timezone', 'timestamp');
  only('true_values', 'boolean');
  only('false_values', 'boolean');
  only('case_sensitive', 'boolean');
  if (col.type === 'decimal') {
    if (col.precision === undefined) issue('precision', 'a decimal needs a precision (1 to 38)');
    if (col.scale === undefined) issue('scale', 'a decimal needs a scale (0 to precision)');
    else if (col.precision !== undefined && col.scale > col.precision)
      issue('scale', `scale ${col.scale} is more than precision ${col.precision}`);
  }
  if (col.format !== undefined && (col.type === 'date' || col.type === 'timestamp')) {
    try {
      compileDateTimeFormat(col.format, col.type);
    } catch (e) {
      issue('format', `invalid ${col.type} format "${col.format}": ${(e as Error).message}`);
    }
  }
  if (col.timezone !== undefined && !isKnownTimeZone(col.timezone))
    issue('timezone', `"${col.timezone}" is not an IANA time zone`);
  if (col.type === 'boolean') {
    const fold = (v: string) => (col.case_sensitive ? v : v.toLowerCase());
    const trues = new Set((col.true_values ?? []).map(fold));
    const both = (col.false_values ?? []).find((v) => trues.has(fold(v)));
    if (both !== undefined) issue('false_values', `"${both}" is also a true value`);
  }
}

export const HeaderPolicySchema = z
  .object({
    order: z.enum(['ordered', 'any_order']).default('ordered'),
    extra_columns: z.enum(['reject', 'allow']).default('reject'),
    case_sensitive: z.boolean().default(false),
    trim_whitespace: z.boolean().default(true),
  })
  .strict();

export const SchemaEvolutionSchema = z
  .object({
    unexpected_columns: z
      .enum(['reject', 'ignore', 'rescue'])
      .optional()
      .describe(
        'columns of a file the contract does not declare: reject the file, ignore them (reported), or rescue their values into _rescued_data; default reject ("ignore" when header.extra_columns is "allow")',
      ),
    missing_columns: z
      .enum(['reject', 'null'])
      .default('reject')
      .describe('declared columns a file lacks: reject the file, or NULL for nullable columns (reported)'),
    bad_values: z
      .enum(['bad_row', 'rescue'])
      .default('bad_row')
      .describe(
        'a value that does not parse as its type: the row is bad, or the value is NULL and its text goes to _rescued_data (nullable columns)',
      ),
  })
  .strict();

export const ErrorPolicySchema = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('abort') }).strict(),
  z
    .object({
      mode: z.literal('quarantine_rows'),
      max_bad_rows: z
        .number()
        .int()
        .min(0)
        .optional()
        .describe('reject the file when more rows than this are bad'),
      max_bad_rows_percent: z
        .number()
        .min(0)
        .max(100)
        .optional()
        .describe('reject the file when more than this percentage of data rows are bad'),
    })
    .strict()
    .refine((p) => p.max_bad_rows !== undefined || p.max_bad_rows_percent !== undefined, {
      message: 'quarantine_rows needs max_bad_rows or max_bad_rows_percent',
    }),
]);

export const LimitsSchema = z
  .object({
    max_field_bytes: z.number().int().positive().default(1_048_576),
    max_record_bytes: z.number().int().positive().default(4_194_304),
    max_columns: z.number().int().positive().default(1_000),
  })
  .strict();

export const BronzeOptionsSchema = z
  .object({
    row_group_rows: z.number().int().positive().max(1_000_000).default(50_000),
    compression: z.enum(['snappy', 'gzip', 'none']).default('snappy'),
    empty_string_as_null: z
      .boolean()
      .default(false)
      .describe(
        'store empty string fields as null (typed columns always store empty as null); the same as null_values [""] for string columns',
      ),
  })
  .strict();

export const PartitionDateSchema = z
  .object({
    key_pattern: z
      .string()
      .describe(
        'regular expression over the object key with named groups year, month and optionally day, for example "(?<year>\\\\d{4})/(?<month>\\\\d{2})/(?<day>\\\\d{2})/"; it must run in linear time: no nested quantifiers, no backreferences, at most one unbounded quantifier',
      ),
  })
  .strict();

export const AfterLoadSchema = z
  .discriminatedUnion('action', [
    z.object({ action: z.literal('keep') }).strict(),
    z.object({ action: z.literal('delete') }).strict(),
    z
      .object({
        action: z.literal('archive'),
        bucket: z
          .string()
          .min(1)
          .optional()
          .describe('"landing" or the name of an existing bucket; default the source\'s own bucket'),
        prefix: z
          .string()
          .min(1)
          .refine((p) => !p.startsWith('/'), 'must not start with "/"')
          .describe('the source key is kept below it: "archive/" moves orders/a.csv to archive/orders/a.csv'),
      })
      .strict(),
    z
      .object({
        action: z.literal('tag'),
        key: z.string().min(1).max(128),
        value: z.string().max(256),
      })
      .strict(),
  ])
  .describe(
    'what happens to a source version once the ledger says completed (never to a rejected file): keep it, delete it, archive it (copy, then delete) or tag it',
  );

export const ContractSchema = z
  .object({
    $schema: z.string().optional(),
    ingestion_key: identifier.describe(
      'dataset name; the ledger partition key and the bronze table partition',
    ),
    description: z.string().optional(),
    sources: z.array(SourceSchema).min(1),
    columns: z.array(ColumnSchema).min(1),
    header: HeaderPolicySchema.default(HeaderPolicySchema.parse({})),
    delimiter: asciiChar.default(',').describe('one ASCII character'),
    quote_char: asciiChar.default('"').describe('one ASCII character'),
    encoding: z
      .enum(['utf-8', 'windows-1252', 'iso-8859-1', 'utf-16'])
      .default('utf-8')
      .describe('text encoding of the files; bronze is UTF-8 ("utf-16" needs a byte order mark)'),
    null_values: nullMarkers
      .optional()
      .describe(
        'field values that mean NULL in every column, for example ["", "NULL", "\\\\N"]; typed columns also read an empty field as NULL',
      ),
    compression: z
      .enum(['none', 'gzip', 'auto'])
      .default('auto')
      .describe('"auto" means gzip when the key ends in .gz'),
    error_policy: ErrorPolicySchema.default({ mode: 'abort' }),
    schema_evolution: SchemaEvolutionSchema.default(SchemaEvolutionSchema.parse({})),
    primary_key: z.array(z.string()).optional(),
    latest_by: z
      .string()
      .optional()
      .describe(
        'with primary_key: the column whose greatest value marks the current row of a key in the <ingestion_key>_latest view (for example updated_at); ties go to the later ingest, then the later line',
      ),
    deleted_when: z
      .object({
        column: z.string().min(1),
        value: z.union([z.string(), z.number(), z.boolean()]),
      })
      .strict()
      .optional()
      .describe(
        'with primary_key: a key whose current row has this value in this column is left out of the latest view',
      ),
    limits: LimitsSchema.default(LimitsSchema.parse({})),
    partition_date: PartitionDateSchema.optional(),
    sweep: z
      .object({
        time_ordered_keys: z
          .boolean()
          .default(false)
          .describe(
            'keys sort in arrival order (for example orders/2024/03/01/...): the sweep lists each source only after the last key up to which every file is finished; a late file with an older key is then found by its event, or by "bronze sweep --force"',
          ),
      })
      .strict()
      .default({ time_ordered_keys: false }),
    max_attempts: z
      .number()
      .int()
      .min(1)
      .max(100)
      .default(5)
      .describe('infrastructure retries before a file stays failed'),
    bronze: BronzeOptionsSchema.default(BronzeOptionsSchema.parse({})),
    after_load: AfterLoadSchema.default({ action: 'keep' }),
  })
  .strict()
  .superRefine((c, ctx) => {
    const relisted = archiveRelistProblem([c]);
    if (relisted) ctx.addIssue({ code: 'custom', path: ['after_load', 'prefix'], message: relisted });
    const names = new Set<string>();
    c.columns.forEach((col, i) => {
      const n = col.name.toLowerCase();
      if (names.has(n))
        ctx.addIssue({
          code: 'custom',
          path: ['columns', i, 'name'],
          message: `duplicate column "${col.name}"`,
        });
      if (n.startsWith('_')) {
        ctx.addIssue({
          code: 'custom',
          path: ['columns', i, 'name'],
          message: 'names starting with "_" are reserved for lineage',
        });
      }
      names.add(n);
    });
    c.primary_key?.forEach((k, i) => {
      if (!names.has(k.toLowerCase()))
        ctx.addIssue({
          code: 'custom',
          path: ['primary_key', i],
          message: `"${k}" is not a declared column`,
        });
    });
    if (c.header.extra_columns === 'allow' && c.schema_evolution.unexpected_columns === 'reject') {
      ctx.addIssue({
        code: 'custom',
        path: ['schema_evolution', 'unexpected_columns'],
        message: '"reject" contradicts header.extra_columns "allow"',
      });
    }
    for (const [field, column] of [
      ['latest_by', c.latest_by],
      ['deleted_when', c.deleted_when?.column],
    ] as const) {
      if (column === undefined) continue;
      if (!c.primary_key?.length)
        ctx.addIssue({ code: 'custom', path: [field], message: 'needs primary_key' });
      if (!names.has(column.toLowerCase()))
        ctx.addIssue({
          code: 'custom',
          path: field === 'latest_by' ? [field] : [field, 'column'],
          message: `"${column}" is not a declared column`,
        });
    }
    if (c.partition_date) {
      let problem: string | undefined;
      try {
        new RegExp(c.partition_date.key_pattern);
        problem = keyPatternProblem(c.partition_date.key_pattern);
        if (problem) problem = `refused, the sweep runs it on every key: ${problem}`;
      } catch (e) {
        problem = `invalid regular expression: ${(e as Error).message}`;
      }
      if (problem)
        ctx.addIssue({ code: 'custom', path: ['partition_date', 'key_pattern'], message: problem });
    }
  });

export type Contract = z.output<typeof ContractSchema>;
export type AfterLoad = z.output<typeof AfterLoadSchema>;

/** Where `archive` puts a source object: the archive bucket (symbolic, as in a source) and key. */
export function archiveTarget(
  afterLoad: Extract<AfterLoad, { action: 'archive' }>,
  sourceBucket: string,
  key: string,
): { bucket: string; key: string } {
  return { bucket: afterLoad.bucket ?? sourceBucket, key: `${afterLoad.prefix}${key}` };
}

/**
 * Why the archived copies of some contract would be listed again as a source (a source of the
 * same bucket whose prefix and suffix can match an archived key), or undefined. Buckets are
 * compared as the contracts name them.
 */
export function archiveRelistProblem(
  contracts: readonly { ingestion_key: string; sources: readonly SourceSpec[]; after_load: AfterLoad }[],
): string | undefined {
  const sources = contracts.flatMap((c) => c.sources.map((s) => ({ dataset: c.ingestion_key, ...s })));
  for (const contract of contracts) {
    const afterLoad = contract.after_load;
    if (afterLoad.action !== 'archive') continue;
    for (const own of contract.sources) {
      const target = archiveTarget(afterLoad, own.bucket, own.prefix);
      const hit = sources.find(
        (s) =>
          s.bucket === target.bucket &&
          (target.key.startsWith(s.prefix) || s.prefix.startsWith(target.key)) &&
          (own.suffix.endsWith(s.suffix) || s.suffix.endsWith(own.suffix)),
      );
      if (hit)
        return `${contract.ingestion_key}'s archived files (s3://${target.bucket}/${target.key}...${own.suffix}) would fall under source "${hit.prefix}" (suffix "${hit.suffix}") of ${hit.dataset} and be ingested again: choose an archive prefix or bucket outside every source`;
    }
  }
  return undefined;
}
export type ColumnSpec = z.output<typeof ColumnSchema>;
export type ColumnType = z.output<typeof ColumnTypeSchema>;
export type SourceSpec = z.output<typeof SourceSchema>;

/** Parses one contract, naming the file and the failing field in the error. */
export function parseContract(raw: unknown, fileName: string): Contract {
  const result = ContractSchema.safeParse(raw);
  if (!result.success) {
    const details = result.error.issues
      .map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`)
      .join('; ');
    throw new ContractError(`invalid dataset contract ${fileName}: ${details}`);
  }
  const expected = basename(fileName).replace(/\.json$/, '');
  if (fileName.endsWith('.json') && expected !== result.data.ingestion_key) {
    throw new ContractError(
      `invalid dataset contract ${fileName}: ingestion_key: "${result.data.ingestion_key}" must match the file name "${expected}"`,
    );
  }
  return result.data;
}

/** Reads and validates every `*.json` contract in a folder (the schema file excepted). */
export function loadContracts(dir: string): Contract[] {
  let names: string[];
  try {
    names = readdirSync(dir)
      .filter((f) => f.endsWith('.json') && !f.endsWith('.schema.json'))
      .sort();
  } catch (e) {
    throw new ContractError(`cannot read dataset contracts from ${dir}: ${(e as Error).message}`, {
      cause: e,
    });
  }
  const contracts = names.map((name) => {
    const path = join(dir, name);
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(path, 'utf8'));
    } catch (e) {
      throw new ContractError(`invalid dataset contract ${path}: not valid JSON (${(e as Error).message})`, {
        cause: e,
      });
    }
    return parseContract(raw, path);
  });
  const relisted = archiveRelistProblem(contracts);
  if (relisted)
    throw new ContractError(`invalid dataset contracts in ${dir}: after_load.prefix: ${relisted}`);
  return contracts;
}

/** The JSON Schema of a contract, for editors (`datasets/contract.schema.json`). */
export function contractJsonSchema(): unknown {
  return z.toJSONSchema(ContractSchema, { io: 'input', unrepresentable: 'any' });
}

/** Resolves a source's bucket name: "landing" means the stack's landing bucket. */
export function sourceBucketName(source: SourceSpec, landingBucket: string): string {
  return source.bucket === LANDING_BUCKET ? landingBucket : source.bucket;
}

/** The contract and source an object belongs to, or undefined when no dataset claims it. */
export function resolveDataset(
  contracts: readonly Contract[],
  landingBucket: string,
  bucket: string,
  key: string,
): { contract: Contract; source: SourceSpec } | undefined {
  for (const contract of contracts) {
    for (const source of contract.sources) {
      if (
        sourceBucketName(source, landingBucket) === bucket &&
        key.startsWith(source.prefix) &&
        key.endsWith(source.suffix)
      ) {
        return { contract, source };
      }
    }
  }
  return undefined;
}
