/** The bench contracts (bench/datasets): the headline all-text one and a typed one. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Contract, parseContract } from '../lambdas/core/contract.js';
import type { ContractName } from './args.js';
import { BENCH_DATASETS_DIR } from './paths.js';

export function contractPath(name: ContractName): string {
  return join(BENCH_DATASETS_DIR, `bench_${name}.json`);
}

export function loadBenchContract(name: ContractName): Contract {
  const path = contractPath(name);
  return parseContract(JSON.parse(readFileSync(path, 'utf8')), path);
}
