import * as fs from 'node:fs';

import {readUpTo} from '../../fs/read-at.js';

/** Files kept open at most (a scope may hold thousands of segments; descriptors are limited). */
const OPEN_FILES = 64;
/** Bytes read ahead from a file: lines in fold order mostly follow each other in one segment. */
const WINDOW_BYTES = 64 * 1024;

/**
 * Positional reads of lines from a list of files (a build's second pass reads every event's
 * line again, in fold order): a window of each file read ahead, at most `OPEN_FILES` files open,
 * the least recently read closed first. Null when a file is gone or shorter than the line.
 */
export class LineReader {
  /** Open files, least recently read first (a Map keeps insertion order). */
  private readonly open = new Map<number, {fd: number; window: Buffer; from: number; filled: number}>();

  constructor(private readonly files: readonly string[]) {}

  read(file: number, start: number, length: number): string | null {
    const handle = this.handle(file);
    if (handle === null) return null;
    if (start < handle.from || start + length > handle.from + handle.filled) {
      if (length > handle.window.length) handle.window = Buffer.allocUnsafe(length);
      handle.from = start;
      handle.filled = readUpTo(handle.fd, handle.window, start);
      if (handle.filled < length) return null;
    }
    const at = start - handle.from;
    return handle.window.toString('utf8', at, at + length);
  }

  close(): void {
    for (const {fd} of this.open.values()) fs.closeSync(fd);
    this.open.clear();
  }

  private handle(file: number): {fd: number; window: Buffer; from: number; filled: number} | null {
    const known = this.open.get(file);
    if (known !== undefined) {
      this.open.delete(file);
      this.open.set(file, known);
      return known;
    }
    if (this.open.size >= OPEN_FILES) {
      const [oldest, {fd}] = this.open.entries().next().value!;
      fs.closeSync(fd);
      this.open.delete(oldest);
    }
    let fd: number;
    try {
      fd = fs.openSync(this.files[file]!, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
    } catch {
      return null;
    }
    const handle = {fd, window: Buffer.allocUnsafe(WINDOW_BYTES), from: 0, filled: 0};
    this.open.set(file, handle);
    return handle;
  }
}
