import net from 'node:net';
import { createHistogram } from 'node:perf_hooks';
import { ERROR_KINDS, type ErrorKind } from '../../store/records.ts';
import { CORRUPT, DONE, type Exchange } from './protocol.ts';

/** What one generator thread counts: answers inside the measurement window, errors throughout. */
export class Tally {
  measuring = false;
  windowStart = 0;
  completed = 0;
  /** from when each message was due (wrk2's response time); equals service time in a closed loop */
  readonly response = createHistogram();
  /** from when each message was actually sent */
  readonly service = createHistogram();
  readonly perSecond: number[] = [];
  readonly errors = Object.fromEntries(ERROR_KINDS.map((kind) => [kind, 0])) as Record<ErrorKind, number>;

  answered(dueAt: number, sentAt: number, now: number): void {
    if (!this.measuring) return;
    this.completed++;
    this.response.record(nanoseconds(now - dueAt));
    this.service.record(nanoseconds(now - sentAt));
    const second = Math.floor((now - this.windowStart) / 1000);
    this.perSecond[second] = (this.perSecond[second] ?? 0) + 1;
  }
}

function nanoseconds(ms: number): number {
  return Math.max(1, Math.round(ms * 1e6));
}

/** What a connection tells the thread that drives it. */
export interface Driver {
  connected(connection: LoadConnection): void;
  answered(connection: LoadConnection, now: number): void;
  failed(connection: LoadConnection, kind: ErrorKind): void;
}

/**
 * One client connection with one message in flight at most. The thread's shared read buffer
 * (onread) and the exchange's own buffers mean no allocation per message.
 */
export class LoadConnection {
  /** when the message in flight was due, and when it went out (performance.now() ms) */
  dueAt = 0;
  sentAt = 0;
  inFlight = false;
  answers = 0;
  connected = false;
  readonly createdAt = performance.now();
  private alive = true;
  private readonly socket: net.Socket;
  private readonly exchange: Exchange;
  private readonly driver: Driver;

  constructor(port: number, exchange: Exchange, readBuffer: Buffer, driver: Driver) {
    this.exchange = exchange;
    this.driver = driver;
    this.socket = net.connect({
      port,
      host: '127.0.0.1',
      onread: { buffer: readBuffer, callback: (n: number, data: Buffer) => this.received(n, data) },
    });
    this.socket.setNoDelay(true);
    this.socket.on('connect', () => {
      this.connected = true;
      driver.connected(this);
    });
    this.socket.on('error', () => this.fail(this.connected ? 'reset' : 'connect'));
    // The server closed first: an answer was cut short, or a connection was dropped.
    this.socket.on('close', () => this.fail(this.inFlight ? 'short' : 'reset'));
  }

  send(dueAt: number, now: number): void {
    if (!this.alive) return;
    this.dueAt = dueAt;
    this.sentAt = now;
    this.inFlight = true;
    this.socket.write(this.exchange.next());
  }

  /**
   * Stops sending and counting, errors included: the end of a run. The socket stays open until
   * the thread ends, so that the server can be stopped before its clients leave (see WindowHooks).
   */
  close(): void {
    this.alive = false;
  }

  get open(): boolean {
    return this.alive;
  }

  fail(kind: ErrorKind): void {
    if (!this.alive) return;
    this.alive = false;
    this.socket.destroy();
    this.driver.failed(this, this.inFlight && kind === 'reset' && this.exchange.partial() ? 'short' : kind);
  }

  private received(n: number, data: Buffer): boolean {
    const fed = this.exchange.feed(data, n);
    if (fed === DONE) {
      this.inFlight = false;
      this.answers++;
      this.driver.answered(this, performance.now());
    } else if (fed === CORRUPT) {
      this.fail('corrupt');
    }
    return true;
  }
}
