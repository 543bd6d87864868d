import {closeSync, fstatSync, openSync, readSync} from 'node:fs';

/** Bytes compared at a time. */
const READ_CHUNK = 1 << 20;

/**
 * Whether `file` holds exactly `pieces`, one after another: null when it does, else the size
 * found. The file is read back a megabyte at a time into one buffer, so that checking a large
 * segment (a batch of thousands of drafts with their bodies) does not hold it a second time.
 * Blocking: the page cache answers at once, and a busy event loop would delay each step. Throws
 * what the file system throws (a missing file).
 */
export function readbackMismatch(file: string, pieces: readonly Buffer[]): number | null {
  const expected = pieces.reduce((sum, piece) => sum + piece.length, 0);
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size !== expected) return size;
    const scratch = Buffer.allocUnsafe(Math.max(1, Math.min(READ_CHUNK, expected)));
    let position = 0;
    for (const piece of pieces) {
      for (let at = 0; at < piece.length;) {
        const n = readSync(fd, scratch, 0, Math.min(scratch.length, piece.length - at), position);
        if (n === 0) return position;
        if (!scratch.subarray(0, n).equals(piece.subarray(at, at + n))) return size;
        at += n;
        position += n;
      }
    }
    // Nothing past the bytes meant (the file did not grow since it was measured).
    return readSync(fd, scratch, 0, 1, position) === 0 ? null : fstatSync(fd).size;
  } finally {
    closeSync(fd);
  }
}
