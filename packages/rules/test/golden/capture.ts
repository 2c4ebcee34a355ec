/**
 * Re-capture the golden digests after an intended change of results (a pack edit, a new criterion):
 *
 *   npx tsx packages/rules/test/golden/capture.ts
 *
 * Check the change first: the digests exist so that evaluator optimisations cannot change any result.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { goldenDigests } from './profiles.ts';

const file = fileURLToPath(new URL('./results.json', import.meta.url));
const digests = goldenDigests();
writeFileSync(file, `${JSON.stringify(digests, null, 1)}\n`);
process.stdout.write(`${Object.keys(digests.cases).length} golden cases written to ${file}\n`);
