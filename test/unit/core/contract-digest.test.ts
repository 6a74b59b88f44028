import { describe, expect, it } from 'vitest';
import { parseContract } from '../../../lambdas/core/contract.js';
import {
  contractDigest,
  contractDigests,
  contractDrift,
  decodeContractDigests,
  encodeContractDigests,
} from '../../../lambdas/core/contract-digest.js';

const things = { ingestion_key: 'things', sources: [{ prefix: 'things/' }], columns: [{ name: 'id' }] };
const parse = (raw: unknown) => parseContract(raw, 'things.json');

describe('contract digests', () => {
  it('are equal for equal contracts whatever their key order, defaults or description', () => {
    const reordered = {
      columns: [{ name: 'id' }],
      sources: [{ prefix: 'things/' }],
      ingestion_key: 'things',
    };
    const explicit = { ...things, delimiter: ',', description: 'words only', max_attempts: 5 };
    expect(contractDigest(parse(reordered))).toBe(contractDigest(parse(things)));
    expect(contractDigest(parse(explicit))).toBe(contractDigest(parse(things)));
  });

  it('differ when anything the engine reads differs', () => {
    expect(contractDigest(parse({ ...things, delimiter: ';' }))).not.toBe(contractDigest(parse(things)));
    expect(contractDigest(parse({ ...things, columns: [{ name: 'id', type: 'int64' }] }))).not.toBe(
      contractDigest(parse(things)),
    );
  });

  it('round-trip through the text the stack publishes', () => {
    const digests = contractDigests([parse(things)]);
    expect(decodeContractDigests(encodeContractDigests(digests))).toEqual(digests);
    expect(encodeContractDigests({ b: '2', a: '1' })).toBe('a=1,b=2');
  });

  it('name the datasets that differ, are missing on either side, or only those asked about', () => {
    const deployed = { orders: 'o1', customers: 'c1', gone: 'g1' };
    const local = { orders: 'o2', customers: 'c1', extra: 'e1' };
    expect(contractDrift(deployed, local).map((d) => d.dataset)).toEqual(['extra', 'gone', 'orders']);
    expect(contractDrift(deployed, local, ['customers'])).toEqual([]);
    expect(contractDrift(deployed, local, ['extra'])).toEqual([{ dataset: 'extra', local: 'e1' }]);
  });
});
