import { z } from 'zod';
import { MeasurementSchema } from './results.ts';
import { DoneSchema, ReadySchema } from '../execute/server.ts';

/**
 * The lines a workload program prints, as JSON Schemas (docs/schemas/), for programs written
 * outside this repository or in another language. Generated from the schemas gilbench parses
 * them with, so that the documents cannot drift from the code (test/contract.test.ts).
 */
export const CONTRACT_SCHEMAS = {
  'result.schema.json': { title: "A batch program's one result line (its last line on stdout)", schema: MeasurementSchema },
  'ready.schema.json': { title: "A server's ready line (once it listens on 127.0.0.1)", schema: ReadySchema },
  'done.schema.json': { title: "A server's done line (its last line on stdout, after SIGTERM)", schema: DoneSchema },
} as const;

export function contractDocuments(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(CONTRACT_SCHEMAS).map(([file, { title, schema }]) => [
      file,
      `${JSON.stringify({ title, ...z.toJSONSchema(schema, { io: 'input' }) }, null, 2)}\n`,
    ]),
  );
}
