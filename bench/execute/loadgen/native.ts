/**
 * The native engine: the closed-loop echo load in C (native/echo-load.c), so that the generator
 * is not what limits a fast server on a small machine. Built with the system's compiler ($CC,
 * else cc) on first use into a cache folder keyed by the source and the compiler; without a
 * compiler, or when the build fails, the Node.js engine measures instead and says why.
 */
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { z } from 'zod';
import { tryParseJson } from '../../core/json.ts';
import { makeFolder } from '../../store/durable.ts';
import { ERROR_KINDS, LatencySchema, type LoadResult } from '../../store/records.ts';
import { Mailbox } from './mailbox.ts';
import type { LoadSpec, WindowHooks } from './spec.ts';

const SOURCE = fileURLToPath(new URL('./native/echo-load.c', import.meta.url));
const FLAGS = ['-O2', '-std=gnu11'];

export type EngineChoice = { engine: 'native'; binary: string } | { engine: 'node'; why: string };

/** Which engine measures a load: native for the closed-loop echo on one thread, Node.js for the rest. */
export async function engineFor(
  spec: Pick<LoadSpec, 'protocol' | 'pattern' | 'threads' | 'engine'>,
): Promise<EngineChoice> {
  if (spec.engine === 'node') return { engine: 'node', why: 'asked for' };
  const covered =
    spec.protocol.kind === 'echo' && spec.pattern === 'closed' && (spec.threads === 1 || spec.threads === 'auto');
  if (!covered) return { engine: 'node', why: 'the native engine covers the closed-loop echo on one thread only' };
  const built = await nativeBinary();
  if (typeof built === 'string') return { engine: 'native', binary: built };
  if (spec.engine === 'native') throw new Error(`the native echo engine is not available: ${built.message}`);
  return { engine: 'node', why: `no native engine: ${built.message}` };
}

const builds = new Map<string, Promise<string | Error>>();

/** The engine's path, built once per compiler and process; an Error says why there is none. */
function nativeBinary(): Promise<string | Error> {
  const cc = process.env.CC || 'cc';
  let build = builds.get(cc);
  if (!build) {
    build = buildInCache(cc).catch((error: Error) => {
      process.stderr.write(
        `gilbench: the native echo engine could not be built (${error.message}); the Node.js engine measures instead.\n`,
      );
      return error;
    });
    builds.set(cc, build);
  }
  return build;
}

async function buildInCache(cc: string): Promise<string> {
  const source = readFileSync(SOURCE);
  const key = createHash('sha256')
    .update(`${cc}\0${FLAGS.join(' ')}\0`)
    .update(source)
    .digest('hex')
    .slice(0, 16);
  const dir = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'gilbench', 'native', key);
  const binary = join(dir, 'echo-load');
  if (existsSync(binary)) return binary;
  makeFolder(dir);
  // Built aside and renamed: two harnesses building at once never run a half-written file.
  const partial = `${binary}.${process.pid}.partial`;
  try {
    await promisify(execFile)(cc, [...FLAGS, '-o', partial, SOURCE]);
    renameSync(partial, binary);
  } catch (error) {
    const { code, stderr } = error as { code?: string; stderr?: string };
    throw new Error(
      code === 'ENOENT'
        ? `no C compiler: ${cc} not found`
        : `${cc} failed: ${(stderr || String(error)).trim().split('\n')[0]}`,
    );
  } finally {
    rmSync(partial, { force: true });
  }
  return binary;
}

const ReportSchema = z.discriminatedUnion('event', [
  z.object({ event: z.literal('ready') }),
  z.object({
    event: z.literal('result'),
    completed: z.number(),
    windowMs: z.number(),
    openAtEnd: z.number(),
    cpuS: z.number(),
    maxRssKiB: z.number(),
    perSecond: z.array(z.number()),
    errors: z.record(z.enum(ERROR_KINDS), z.number()),
    latencyNs: LatencySchema.optional(),
  }),
]);
type Report = z.infer<typeof ReportSchema>;

/** After end of input, how long the engine may take to leave before it is killed. */
const EXIT_GRACE_MS = 2000;

/** Drives the native engine through warm-up and window, as the Node.js engine does its threads. */
export async function nativeLoad(spec: LoadSpec, binary: string, hooks: WindowHooks): Promise<LoadResult> {
  const args = [
    spec.port,
    spec.connections,
    spec.protocol.kind === 'echo' ? spec.protocol.messageBytes : 0,
    spec.timeoutMs,
  ].map(String);
  const child = spawn(binary, spec.cpus ? [...args, spec.cpus] : args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const mailbox = reports(child, spec.signal);
  try {
    await mailbox.expect('ready');
    await sleep(spec.warmupS * 1000, undefined, { signal: spec.signal });
    hooks.started?.();
    child.stdin.write('measure\n');
    await sleep(spec.durationS * 1000, undefined, { signal: spec.signal });
    hooks.ending?.();
    child.stdin.write('stop\n');
    const result = await mailbox.expect('result');
    await hooks.beforeClose?.();
    return resultOf(spec, result);
  } finally {
    child.stdin.end();
    const grace = setTimeout(() => child.kill('SIGKILL'), EXIT_GRACE_MS);
    await exited;
    clearTimeout(grace);
  }
}

function resultOf(spec: LoadSpec, r: Extract<Report, { event: 'result' }>): LoadResult {
  const windowS = r.windowMs / 1000;
  const perS = windowS > 0 ? r.completed / windowS : 0;
  // Its share of one core, not its wall time outside epoll_wait: on a shared machine a thread
  // waiting for a CPU is not busy, and the busier the machine the more it would seem so.
  const busy = windowS > 0 ? Math.min(1, r.cpuS / windowS) : 0;
  const ms = (ns: number) => ns / 1e6;
  const latency = r.latencyNs && {
    p50: ms(r.latencyNs.p50),
    p90: ms(r.latencyNs.p90),
    p99: ms(r.latencyNs.p99),
    p999: ms(r.latencyNs.p999),
    max: ms(r.latencyNs.max),
    mean: ms(r.latencyNs.mean),
  };
  return {
    protocol: spec.protocol.kind,
    pattern: spec.pattern,
    engine: 'native',
    connections: spec.connections,
    threads: 1,
    windowS,
    completed: r.completed,
    perS,
    perSecond: r.perSecond,
    latencyMs: latency,
    errors: r.errors,
    openAtEnd: r.openAtEnd,
    generator: {
      cpuPct: windowS > 0 ? (100 * r.cpuS) / windowS : 0,
      busiestThread: busy,
      rssKiB: r.maxRssKiB,
      ceilingPerS: ceilingOf(perS, busy),
    },
  };
}

/** Answers/s the generator would reach busy all the time: what it did, over the share it was busy. */
export function ceilingOf(perS: number, busy: number): number | undefined {
  return busy > 0 && perS > 0 ? perS / busy : undefined;
}

/** The engine's stdout lines in order; its exit, or an abort, fails what is awaited. */
function reports(child: ReturnType<typeof spawn>, signal?: AbortSignal): Mailbox<Report, 'event'> {
  const mailbox = new Mailbox<Report, 'event'>('the native echo engine', 'event');
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const report = ReportSchema.safeParse(tryParseJson(line));
    if (report.success) mailbox.put(report.data);
    else mailbox.fail(new Error(`the native echo engine printed an unexpected line: ${line.slice(0, 200)}`));
  });
  child.once('error', (error) => mailbox.fail(new Error(`the native echo engine could not start: ${error.message}`)));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.once('exit', (code, signal) =>
    mailbox.fail(new Error(`the native echo engine stopped early (${signal ?? `code ${code}`})`)),
  );
  mailbox.abortOn(signal, exited, () => child.kill('SIGKILL'));
  return mailbox;
}
