import { writeFileSync } from 'node:fs';
import { contractJsonSchema } from '../lambdas/core/contract.js';

// Regenerates the JSON Schema editors use to check datasets/*.json.
writeFileSync('datasets/contract.schema.json', `${JSON.stringify(contractJsonSchema(), null, 2)}\n`);
console.log('wrote datasets/contract.schema.json');
