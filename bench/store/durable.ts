import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';

/**
 * Writes that survive a crash: a file's data reach the disk before it is renamed into place, and
 * a folder is synced after an entry in it is created, renamed or removed.
 */

/** Writes text to a new file and syncs it. */
export function writeDurably(path: string, text: string): void {
  const fd = openSync(path, 'w');
  try {
    writeAll(fd, Buffer.from(text), 0);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Writes every byte at position (writeSync may write fewer than asked). */
export function writeAll(fd: number, bytes: Buffer, position: number): void {
  for (let written = 0; written < bytes.length; ) written += writeSync(fd, bytes, written, bytes.length - written, position + written);
}

/** Makes the folder's entries (a rename, a new or removed file) durable. */
export function syncFolder(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
