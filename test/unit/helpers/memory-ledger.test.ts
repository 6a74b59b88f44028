import { describe } from 'vitest';
import { ledgerTransitionContract } from '../../helpers/ledger-contract.js';
import { MemoryLedger } from '../../helpers/memory.js';

describe('the in-memory ledger the engine tests use follows the ledger transitions', () => {
  const ledger = new MemoryLedger();
  ledgerTransitionContract(() => ledger, 'memory');
});
