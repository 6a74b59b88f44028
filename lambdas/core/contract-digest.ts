/**
 * Digests of dataset contracts: the stack publishes the digests of the contracts it deployed, and
 * the CLI compares them with its own before it enqueues files or moves marks, so it never sweeps
 * for a contract the deployed engine does not know.
 */
import { createHash } from 'node:crypto';
import type { Contract } from './contract.js';

/** Contract digests by ingestion key. */
export type ContractDigests = Readonly<Record<string, string>>;

/** JSON with object keys sorted, so equal contracts give equal text whatever their key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The digest of one parsed contract (defaults filled in, `$schema` and `description` left out). */
export function contractDigest(contract: Contract): string {
  const { $schema: _schema, description: _description, ...meaning } = contract;
  return createHash('sha256').update(canonicalJson(meaning)).digest('hex').slice(0, 16);
}

/** The digest of each contract, by ingestion key. */
export function contractDigests(contracts: readonly Contract[]): ContractDigests {
  return Object.fromEntries(contracts.map((c) => [c.ingestion_key, contractDigest(c)]));
}

/** `customers=0f3a…,orders=9b2c…`: short enough for a stack output and an environment variable. */
export function encodeContractDigests(digests: ContractDigests): string {
  return Object.keys(digests)
    .sort()
    .map((k) => `${k}=${digests[k]}`)
    .join(',');
}

/** Reads what `encodeContractDigests` wrote. */
export function decodeContractDigests(text: string): ContractDigests {
  const digests: Record<string, string> = {};
  for (const pair of text.split(',')) {
    const [key, digest] = pair.split('=');
    if (key?.trim() && digest?.trim()) digests[key.trim()] = digest.trim();
  }
  return digests;
}

/** One dataset whose contract differs between two sets; a missing digest means "not there". */
export interface ContractDifference {
  readonly dataset: string;
  readonly deployed?: string;
  readonly local?: string;
}

/** The datasets whose contracts differ, limited to `datasets` when given. */
export function contractDrift(
  deployed: ContractDigests,
  local: ContractDigests,
  datasets?: readonly string[],
): ContractDifference[] {
  const names = datasets?.length ? datasets : [...new Set([...Object.keys(deployed), ...Object.keys(local)])];
  return [...new Set(names)]
    .sort()
    .filter((d) => deployed[d] !== local[d])
    .map((d) => ({
      dataset: d,
      ...(deployed[d] ? { deployed: deployed[d] } : {}),
      ...(local[d] ? { local: local[d] } : {}),
    }));
}
