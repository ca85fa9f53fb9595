import { z } from 'zod';
import { ResultsSchema, SCHEMA_VERSION } from '../../store/results.ts';

/** results.json's format as a JSON Schema, generated from the zod schema that reads it: published with its version. */
export function resultsJsonSchema(): string {
  const schema = z.toJSONSchema(ResultsSchema, { io: 'input', unrepresentable: 'any' });
  return `${JSON.stringify({ ...schema, title: `gilbench results, schema version ${SCHEMA_VERSION}` }, null, 2)}\n`;
}
