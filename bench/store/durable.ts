import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, statSync, writeSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

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
  for (let written = 0; written < bytes.length; )
    written += writeSync(fd, bytes, written, bytes.length - written, position + written);
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

/**
 * mkdir -p that ends. Node's recursive mkdir spins for ever on a folder the kernel will not make
 * under an existing one (/proc answers ENOENT, which Node takes for a missing parent, and tries
 * again): --out /proc/x hung gilbench. Here each missing folder is made in turn, from the top, and
 * the first that cannot be made throws.
 */
export function makeFolder(dir: string): void {
  const missing: string[] = [];
  const top = nearestExisting(dir);
  for (let at = resolve(dir); at !== top; at = dirname(at)) missing.unshift(at);
  for (const folder of missing) {
    try {
      mkdirSync(folder);
    } catch (error) {
      // made by someone else meanwhile: as good
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || !statSync(folder).isDirectory()) throw error;
    }
  }
}

/**
 * The path, absolute, or the nearest folder above it that exists: where makeFolder starts making
 * folders, and what decides whether it can (an absent path, or one below a file, is looked above).
 */
export function nearestExisting(path: string): string {
  let at = resolve(path);
  while (!existsSync(at)) at = dirname(at);
  return at;
}
