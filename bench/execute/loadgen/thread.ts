/**
 * One generator thread (a worker): opens its share of the connections, drives them in a closed
 * loop, an open loop at its share of the rate, or holds them idle, and reports what it counted.
 * The parent says when the measurement window starts ("measure") and ends ("stop").
 */

import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import type { ErrorKind } from '../../store/records.ts';
import { type Driver, LoadConnection, Tally } from './connection.ts';
import { createExchange } from './protocol.ts';
import type { LoadSpec } from './spec.ts';

/** One thread's share of a load. */
export interface ThreadSpec extends Pick<LoadSpec, 'port' | 'protocol' | 'pattern' | 'connections' | 'timeoutMs'> {
  /** open loop: this thread's share of the total rate, messages per second */
  ratePerS: number;
}

export type ToThread = { type: 'measure' } | { type: 'stop' };
export type FromThread =
  /** every connection has had its first answer, or failed */
  | { type: 'ready' }
  | {
      type: 'result';
      completed: number;
      windowMs: number;
      response: import('node:perf_hooks').RecordableHistogram;
      service: import('node:perf_hooks').RecordableHistogram;
      perSecond: number[];
      errors: Record<ErrorKind, number>;
      openAtEnd: number;
    };

/** Connects in waves: ten thousand SYNs at once overflow the server's accept backlog. */
const CONNECTS_IN_FLIGHT = 128;
const READ_BUFFER_BYTES = 256 * 1024;
const TIMEOUT_CHECK_MS = 50;
const PACE_MS = 1;

function run(spec: ThreadSpec, port: NonNullable<typeof parentPort>): void {
  const tally = new Tally();
  const readBuffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
  const connections: LoadConnection[] = [];
  /** open loop: connections whose answer came before their next message is due */
  const waiting: LoadConnection[] = [];
  const intervalMs = spec.pattern === 'open' ? 1000 / (spec.ratePerS / spec.connections) : 0;
  const origin = performance.now();
  let settled = 0;
  let connectedSoFar = 0;
  let stopped = false;

  const sendWhenDue = (connection: LoadConnection, dueAt: number, now: number) => {
    if (dueAt <= now) return connection.send(dueAt, now);
    connection.dueAt = dueAt;
    waiting.push(connection);
  };
  const settle = () => {
    if (++settled === spec.connections) port.postMessage({ type: 'ready' } satisfies FromThread);
  };
  const openNext = () => {
    if (connections.length < spec.connections) {
      connections.push(new LoadConnection(spec.port, createExchange(spec.protocol, spec.port), readBuffer, driver));
    }
  };
  const driver: Driver = {
    connected(connection) {
      openNext();
      const now = performance.now();
      // Open loop: connection i's messages are due at origin + (i + k·C) / R, spread evenly.
      sendWhenDue(
        connection,
        spec.pattern === 'open' ? origin + (connectedSoFar++ * intervalMs) / spec.connections : now,
        now,
      );
    },
    answered(connection, now) {
      tally.answered(connection.dueAt, connection.sentAt, now);
      if (connection.answers === 1) settle();
      if (stopped || spec.pattern === 'idle') return;
      sendWhenDue(connection, spec.pattern === 'open' ? connection.dueAt + intervalMs : now, now);
    },
    failed(connection, kind) {
      tally.errors[kind]++;
      if (connection.answers === 0) settle();
      openNext();
    },
  };

  const timeouts = setInterval(() => failOverdue(connections, spec.timeoutMs), TIMEOUT_CHECK_MS);
  const pacer = spec.pattern === 'open' ? setInterval(() => sendDue(waiting), PACE_MS) : undefined;
  port.on('message', (message: ToThread) => {
    const now = performance.now();
    if (message.type === 'measure') {
      tally.measuring = true;
      tally.windowStart = now;
      return;
    }
    stopped = true;
    clearInterval(timeouts);
    clearInterval(pacer);
    report(port, tally, connections, now);
  });
  for (let i = 0; i < Math.min(CONNECTS_IN_FLIGHT, spec.connections); i++) openNext();
}

/** A connection that has not connected, or not been answered, within the timeout has failed. */
function failOverdue(connections: LoadConnection[], timeoutMs: number): void {
  const now = performance.now();
  for (const c of connections) {
    if (!c.connected && now - c.createdAt > timeoutMs) c.fail('connect');
    else if (c.inFlight && now - c.sentAt > timeoutMs) c.fail('timeout');
  }
}

/** Open loop: sends every message now due, and keeps the rest waiting in order (one pass, in place). */
function sendDue(waiting: LoadConnection[]): void {
  const now = performance.now();
  let kept = 0;
  for (const connection of waiting) {
    if (connection.dueAt <= now) connection.send(connection.dueAt, now);
    else waiting[kept++] = connection;
  }
  waiting.length = kept;
}

/** The window has ended: what this thread counted goes to the parent, and its connections close. */
function report(port: NonNullable<typeof parentPort>, tally: Tally, connections: LoadConnection[], now: number): void {
  tally.measuring = false;
  const openAtEnd = connections.filter((c) => c.open).length;
  for (const connection of connections) connection.close();
  port.postMessage({
    type: 'result',
    completed: tally.completed,
    windowMs: now - tally.windowStart,
    response: tally.response,
    service: tally.service,
    perSecond: Array.from(tally.perSecond, (count) => count ?? 0),
    errors: tally.errors,
    openAtEnd,
  } satisfies FromThread);
  port.close();
}

if (parentPort) run(workerData.spec as ThreadSpec, parentPort);
