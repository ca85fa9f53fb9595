/**
 * What a workload program prints, which gilbench parses: a batch program's one result line, and a
 * server's ready and done lines. docs/schemas/ holds them as JSON Schemas, generated from these, for
 * programs written outside this repository or in another language (test/contract.test.ts keeps
 * the documents equal to the code).
 */
import { z } from 'zod';

const UsageSchema = z.object({
  user_s: z.number(),
  sys_s: z.number(),
  maxrss_kib: z.number(),
  voluntary_switches: z.number(),
  involuntary_switches: z.number(),
});

/** The one JSON line a batch workload prints (workloads/common/gilbench_task.py). */
export const MeasurementSchema = z.object({
  mode: z.string(),
  workers: z.number(),
  params: z.record(z.string(), z.unknown()),
  wall_s: z.number(),
  /** CPU of the measured work alone (start-up excluded) */
  rusage: z.object({ self: UsageSchema, children: UsageSchema }),
  /** CPU since the process started, start-up included */
  rusage_total: z.object({ self: UsageSchema, children: UsageSchema }),
  tasks: z.array(
    z.object({
      /** copy index (W copies) or item index (K items) */
      task: z.number(),
      pid: z.number(),
      tid: z.number(),
      start_s: z.number(),
      end_s: z.number(),
      /** what the task returned, e.g. bytes received */
      result: z.unknown(),
    }),
  ),
  pid: z.number(),
  start_method: z.string().nullable(),
  python: z.record(z.string(), z.unknown()),
});
export type Measurement = z.infer<typeof MeasurementSchema>;

/** A server's first line: it listens on 127.0.0.1 at port, and may hold nofile descriptors open. */
export const ReadySchema = z.object({
  event: z.literal('ready'),
  port: z.number().int().positive(),
  nofile: z.number(),
});

/** The line a server prints when SIGTERM stopped it (workloads/common/gilbench_server.py). */
export const DoneLineSchema = MeasurementSchema.pick({
  mode: true,
  workers: true,
  params: true,
  rusage_total: true,
  pid: true,
  start_method: true,
  python: true,
}).extend({
  /** connections accepted, one count per prefork worker */
  accepted: z.array(z.number()),
  /** blocked-loop's own client: the blocking requests it sent, their median time to the echo, count(n)'s calibrated n (0: sleeping) */
  blocking: z.object({ requests: z.number(), median_ms: z.number().nullable(), count_n: z.number() }).optional(),
});
export type DoneLine = z.infer<typeof DoneLineSchema>;

/** A server's last line, after SIGTERM. */
export const DoneSchema = DoneLineSchema.extend({ event: z.literal('done') });

export const CONTRACT_SCHEMAS = {
  'result.schema.json': {
    title: "A batch program's one result line (its last line on stdout)",
    schema: MeasurementSchema,
  },
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
