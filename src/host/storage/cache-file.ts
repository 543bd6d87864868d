import * as fs from 'node:fs';

import {SnapshotDamage} from './packed-issue.js';
import {readUpTo} from '../fs/read-at.js';

/**
 * Reading a derived cache file (the state snapshot, the read index's base file) by positional
 * reads on one descriptor. A cache file is rebuilt from the log whenever it is unusable, so every
 * problem it has comes out as `SnapshotDamage` and never as a failure of the command.
 */

/**
 * Opens `file` without following a link and runs `check` on the descriptor (read and check the
 * header). Null when the file does not exist; on any failure the descriptor is closed and the
 * error is a `SnapshotDamage`.
 */
export function openCacheFile<T>(file: string, check: (fd: number) => T): {fd: number; value: T} | null {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new SnapshotDamage(`cannot open: ${(error as Error).message}`);
  }
  try {
    return {fd, value: check(fd)};
  } catch (error) {
    fs.closeSync(fd);
    throw error instanceof SnapshotDamage ? error : new SnapshotDamage((error as Error).message);
  }
}

/** Closes a cache file's descriptor; closing it twice is harmless. */
export function closeCacheFile(fd: number): void {
  try {
    fs.closeSync(fd);
  } catch {
    // closed already
  }
}

/** Fills `buffer` from `position`; a file shorter than that is damaged. */
export function readFully(fd: number, buffer: Buffer, position: number): void {
  if (readUpTo(fd, buffer, position) < buffer.length) throw new SnapshotDamage('unexpected end of file');
}

/** A header's JSON, checked to be of `format` and `version` (its other fields are the caller's). */
export function parseCacheHeader<T extends {readonly format: string; readonly version: number}>(
  text: string,
  format: string,
  version: number,
): T {
  let header: T;
  try {
    header = JSON.parse(text) as T;
  } catch {
    throw new SnapshotDamage('header is not JSON');
  }
  if (header?.format !== format || header.version !== version) {
    throw new SnapshotDamage('other format or version');
  }
  return header;
}
