import * as fs from 'node:fs';

/** Bytes read at a time: a segment of any size is read with this much of it in memory. */
export const LINE_CHUNK_BYTES = 1 << 20;

/**
 * Visits the lines of an open file in order, reading it a chunk at a time (a compacted segment
 * may hold the whole log): each line's text (UTF-8, without its `\n`), 1-based number, byte
 * start and length, and whether a `\n` ends it. Lines end at a `\n` byte, which UTF-8 never
 * uses inside a character, so decoding line by line gives the text's own lines. A line longer
 * than a chunk is gathered whole. `visit` returns false to stop.
 */
export function readLines(
  fd: number,
  visit: (text: string, lineNo: number, start: number, length: number, terminated: boolean) => boolean,
): void {
  // One chunk buffer reused from call to call: a new one per segment would be garbage the
  // collector frees only in its major cycles (it outlives the minor ones while a segment is read).
  let buffer: Buffer = spare ?? Buffer.allocUnsafe(LINE_CHUNK_BYTES);
  spare = null;
  try {
    readChunks(fd, buffer, visit, (grown) => (buffer = grown));
  } finally {
    if (buffer.length === LINE_CHUNK_BYTES) spare = buffer;
  }
}

/** A chunk buffer free for the next `readLines` (a nested call takes a new one). */
let spare: Buffer | null = null;

function readChunks(
  fd: number,
  start: Buffer,
  visit: (text: string, lineNo: number, start: number, length: number, terminated: boolean) => boolean,
  swap: (grown: Buffer) => void,
): void {
  let buffer = start;
  /** Bytes of `buffer` in use; `buffer[0]` is file offset `base`. */
  let filled = 0;
  let base = 0;
  let lineNo = 0;
  for (let ended = false; !ended;) {
    if (filled === buffer.length) swap((buffer = grown(buffer)));
    const n = fs.readSync(fd, buffer, filled, buffer.length - filled, base + filled);
    ended = n === 0;
    filled += n;
    const data = buffer.subarray(0, filled);
    let from = 0;
    for (;;) {
      const newline = data.indexOf(10, from);
      if (newline === -1) break;
      lineNo += 1;
      if (!visit(buffer.toString('utf8', from, newline), lineNo, base + from, newline - from, true)) return;
      from = newline + 1;
    }
    if (ended) {
      if (from < filled)
        visit(buffer.toString('utf8', from, filled), lineNo + 1, base + from, filled - from, false);
      return;
    }
    buffer.copy(buffer, 0, from, filled);
    base += from;
    filled -= from;
  }
}

function grown(buffer: Buffer): Buffer {
  const next = Buffer.allocUnsafe(2 * buffer.length);
  buffer.copy(next);
  return next;
}
