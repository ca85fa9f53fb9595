/**
 * What one connection sends and how it knows the whole answer arrived intact. One exchange
 * object per connection, its buffers allocated once: the hot path allocates nothing.
 */
import type { ProtocolSpec } from '../../define/load.ts';

/** What the bytes received so far amount to. */
export const MORE = 0;
export const DONE = 1;
export const CORRUPT = 2;
export type Feed = typeof MORE | typeof DONE | typeof CORRUPT;

export interface Exchange {
  /** The next message to send; the previous answer is complete, so its buffer may be reused. */
  next(): Buffer;
  /** Takes the first n bytes of data, the next part of the answer. */
  feed(data: Buffer, n: number): Feed;
  /** True while an answer has started to arrive but is not complete. */
  partial(): boolean;
}

export function createExchange(spec: ProtocolSpec, port: number): Exchange {
  return spec.kind === 'echo' ? new EchoExchange(spec.messageBytes) : new HttpExchange(spec.path, port, spec.bodyBytes);
}

/** Sends S bytes, numbered, and expects exactly the same S bytes back: any other byte is corruption. */
class EchoExchange implements Exchange {
  private readonly message: Buffer;
  private got = 0;
  private sequence = 0;

  constructor(messageBytes: number) {
    this.message = Buffer.alloc(messageBytes);
    for (let i = 0; i < messageBytes; i++) this.message[i] = 32 + (i % 95);
  }

  next(): Buffer {
    // A number in every message: an echo of an earlier message does not pass for this one.
    if (this.message.length >= 4) this.message.writeUInt32LE(this.sequence++ >>> 0, 0);
    this.got = 0;
    return this.message;
  }

  feed(data: Buffer, n: number): Feed {
    const end = this.got + n;
    if (end > this.message.length || this.message.compare(data, 0, n, this.got, end) !== 0) return CORRUPT;
    this.got = end;
    return end === this.message.length ? DONE : MORE;
  }

  partial(): boolean {
    return this.got > 0;
  }
}

const HEAD_LIMIT = 4096;
const CRLFCRLF = 0x0d0a0d0a;
const CONTENT_LENGTH = Buffer.from('\r\ncontent-length:');

/** A keep-alive GET, answered by status 200 and a body of exactly bodyBytes bytes. */
class HttpExchange implements Exchange {
  private readonly request: Buffer;
  private readonly head = Buffer.alloc(HEAD_LIMIT);
  private headBytes = 0;
  /** body bytes still to come; -1 while the head is incomplete */
  private bodyLeft = -1;
  private readonly bodyBytes: number;

  constructor(path: string, port: number, bodyBytes: number) {
    this.bodyBytes = bodyBytes;
    this.request = Buffer.from(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`, 'latin1');
  }

  next(): Buffer {
    this.headBytes = 0;
    this.bodyLeft = -1;
    return this.request;
  }

  feed(data: Buffer, n: number): Feed {
    let offset = 0;
    if (this.bodyLeft < 0) {
      // Copy the head byte by byte until its blank line: heads are small, bodies are not copied.
      let last = this.headBytes >= 4 ? this.head.readUInt32BE(this.headBytes - 4) : 0;
      while (offset < n && last !== CRLFCRLF) {
        if (this.headBytes === HEAD_LIMIT) return CORRUPT;
        const byte = data[offset++]!;
        this.head[this.headBytes++] = byte;
        last = ((last << 8) | byte) >>> 0;
      }
      if (last !== CRLFCRLF) return MORE;
      const length = this.statusOk() ? this.contentLength() : -1;
      if (length !== this.bodyBytes) return CORRUPT;
      this.bodyLeft = length;
    }
    this.bodyLeft -= n - offset;
    return this.bodyLeft === 0 ? DONE : this.bodyLeft > 0 ? MORE : CORRUPT;
  }

  partial(): boolean {
    return this.headBytes > 0;
  }

  /** "HTTP/1.1 200 " */
  private statusOk(): boolean {
    return this.head[9] === 0x32 && this.head[10] === 0x30 && this.head[11] === 0x30;
  }

  private contentLength(): number {
    const at = indexOfCaseless(this.head, this.headBytes, CONTENT_LENGTH);
    if (at < 0) return -1;
    let value = -1;
    for (let i = at + CONTENT_LENGTH.length; i < this.headBytes; i++) {
      const byte = this.head[i]!;
      if (byte === 0x20 && value < 0) continue;
      if (byte < 0x30 || byte > 0x39) break;
      value = (value < 0 ? 0 : value * 10) + byte - 0x30;
    }
    return value;
  }
}

/** Where needle (lower case) starts in haystack[0, length), letters compared without case. */
function indexOfCaseless(haystack: Buffer, length: number, needle: Buffer): number {
  outer: for (let start = 0; start + needle.length <= length; start++) {
    for (let i = 0; i < needle.length; i++) {
      const byte = haystack[start + i]!;
      if ((byte >= 0x41 && byte <= 0x5a ? byte | 0x20 : byte) !== needle[i]) continue outer;
    }
    return start;
  }
  return -1;
}
