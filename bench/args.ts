/** Command-line options of `npm run bench`. */

export const ALL_SIZES_MB = [10, 100, 500, 1000] as const;
export const CONTRACT_NAMES = ['text', 'typed'] as const;
export type ContractName = (typeof CONTRACT_NAMES)[number];
export const SECTIONS = ['convert', 'small', 'ledger', 'sweep', 'bundle'] as const;
export type Section = (typeof SECTIONS)[number];

export interface BenchOptions {
  readonly sizesMb: readonly number[];
  readonly runs: number;
  readonly contracts: readonly ContractName[];
  readonly sections: readonly Section[];
  readonly sweepFiles: number;
  /** Small files converted per run in the small-file section. */
  readonly smallFiles: number;
  /** Node flags for an extra engine row on the text contract, for trying V8 settings. */
  readonly variantFlags: readonly string[] | undefined;
  /** Where the Markdown report goes; undefined for the default choice. */
  readonly out: string | undefined;
  /** True when every size, contract and section runs with at least 3 runs: the report of record. */
  readonly complete: boolean;
}

/** Files up to this size are converted in a second or two: they get more runs, cheaply. */
export const SHORT_FILE_MB = 100;
/** Extra runs for a short file, where this machine's swings of 15 to 30% weigh most. */
const SHORT_FILE_EXTRA_RUNS = 2;

/**
 * Runs per case on a file: `runs`, and two more on short files. A run of them takes a few
 * seconds, and their medians of three moved by 20 to 30 points of the DuckDB ratio from one full
 * run to the next (bench notes, "Seventh pass").
 */
export function runsFor(sizeMb: number, runs: number): number {
  return sizeMb <= SHORT_FILE_MB ? runs + SHORT_FILE_EXTRA_RUNS : runs;
}

export const USAGE = `npm run bench -- [options]
  --sizes 10,100          CSV sizes in MB (default ${ALL_SIZES_MB.join(',')})
  --runs N                runs per measurement, median taken (default 3; two more on
                          files up to 100 MB)
  --contracts text,typed  which bench contracts (default both, on every size)
  --only convert,small,ledger,sweep,bundle   sections to run (default all)
  --small-files N         5 KB files per run in the small-file section (default 2000)
  --sweep-files N         landed files for the sweep measurement (default 10000)
  --variant-flags "..."   also run the engine (text contract) with these Node flags,
                          e.g. "--max-old-space-size=192" (default: no extra row)
  --out FILE              Markdown report (default BENCHMARKS.md for a complete run,
                          .bench/BENCHMARKS.partial.md otherwise)`;

function list(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function positiveInt(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${flag} needs a whole number, got "${value}"`);
  return n;
}

function oneOf<T extends string>(flag: string, values: string[], allowed: readonly T[]): T[] {
  for (const v of values) {
    if (!(allowed as readonly string[]).includes(v))
      throw new Error(`${flag}: "${v}" is not one of ${allowed.join(', ')}`);
  }
  return values as T[];
}

export function parseArgs(argv: readonly string[]): BenchOptions {
  let sizesMb: number[] = [...ALL_SIZES_MB];
  let runs = 3;
  let contracts: ContractName[] = [...CONTRACT_NAMES];
  let sections: Section[] = [...SECTIONS];
  let sweepFiles = 10_000;
  let smallFiles = 2000;
  let variantFlags: string[] | undefined;
  let out: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    if (flag === '--help' || flag === '-h') throw new Error(USAGE);
    const value = argv[++i];
    if (value === undefined) throw new Error(`${flag} needs a value\n${USAGE}`);
    switch (flag) {
      case '--sizes':
        sizesMb = list(value).map((v) => positiveInt(flag, v));
        if (sizesMb.some((s) => s < 1)) throw new Error('--sizes: each size is at least 1 MB');
        break;
      case '--runs':
        runs = Math.max(1, positiveInt(flag, value));
        break;
      case '--contracts':
        contracts = oneOf(flag, list(value), CONTRACT_NAMES);
        break;
      case '--only':
        sections = oneOf(flag, list(value), SECTIONS);
        break;
      case '--small-files':
        smallFiles = Math.max(1, positiveInt(flag, value));
        break;
      case '--sweep-files':
        sweepFiles = positiveInt(flag, value);
        break;
      case '--variant-flags':
        variantFlags = value.split(/\s+/).filter(Boolean);
        if (variantFlags.some((f) => !f.startsWith('--')))
          throw new Error('--variant-flags takes Node options, each starting with --');
        break;
      case '--out':
        out = value;
        break;
      default:
        throw new Error(`unknown option ${flag}\n${USAGE}`);
    }
  }
  const complete =
    runs >= 3 &&
    ALL_SIZES_MB.every((s) => sizesMb.includes(s)) &&
    contracts.length === CONTRACT_NAMES.length &&
    sections.length === SECTIONS.length &&
    sweepFiles >= 10_000 &&
    smallFiles >= 2000;
  return {
    sizesMb,
    runs,
    contracts,
    sections,
    sweepFiles,
    smallFiles,
    variantFlags,
    out,
    complete,
  };
}
