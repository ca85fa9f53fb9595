/** Writes docs/schemas/*.json from the code's own schemas: npm run schemas. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { contractDocuments } from '../bench/contract.ts';
import { PROJECT_DIR } from '../bench/paths.ts';

const dir = join(PROJECT_DIR, 'docs', 'schemas');
mkdirSync(dir, { recursive: true });
for (const [file, text] of Object.entries(contractDocuments())) writeFileSync(join(dir, file), text);
console.log(`wrote ${Object.keys(contractDocuments()).join(', ')} in ${dir}`);
