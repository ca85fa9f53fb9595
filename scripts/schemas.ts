/** Writes docs/schemas/*.json from the code's own schemas: npm run schemas. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_DIR } from '../bench/core/paths.ts';
import { resultsJsonSchema } from '../bench/present/export/schema.ts';
import { contractDocuments } from '../bench/store/contract.ts';
import { historyDocuments } from '../bench/store/history.ts';
import { SCHEMA_VERSION } from '../bench/store/results.ts';

const dir = join(PROJECT_DIR, 'docs', 'schemas');
const documents = {
  ...contractDocuments(),
  [`results-v${SCHEMA_VERSION}.schema.json`]: resultsJsonSchema(),
  ...historyDocuments(),
};
mkdirSync(dir, { recursive: true });
for (const [file, text] of Object.entries(documents)) writeFileSync(join(dir, file), text);
console.log(`wrote ${Object.keys(documents).join(', ')} in ${dir}`);
