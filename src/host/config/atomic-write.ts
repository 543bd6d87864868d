import {randomBytes} from 'node:crypto';
import {closeSync, fsyncSync, lstatSync, openSync, renameSync, unlinkSync, writeSync} from 'node:fs';
import {basename, dirname, join} from 'node:path';

import {TrackerError} from '../../core/errors.js';

/**
 * Replaces `path` with `content` atomically: a temp file in the same folder (created with
 * `mode`, so a secret is never briefly world-readable), fsync, rename over the target, fsync of
 * the folder. Readers see the old file or the new one, never a torn one. Refuses to write
 * through a symbolic link (it would silently replace the link with a file).
 */
export function atomicWriteFileSync(path: string, content: string, options: {mode?: number} = {}): void {
  try {
    if (lstatSync(path).isSymbolicLink()) {
      throw new TrackerError(`Refusing to write ${path}: it is a symbolic link.`, {
        hint: 'Replace the link with a regular file, then run the command again.',
      });
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fd = openSync(temp, 'wx', options.mode ?? 0o644);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    unlinkSync(temp);
    throw error;
  }
  closeSync(fd);
  try {
    renameSync(temp, path);
  } catch (error) {
    try {
      unlinkSync(temp);
    } catch {
      // the temp file is already gone
    }
    throw error;
  }
  fsyncDirectory(dir);
}

function fsyncDirectory(dir: string): void {
  let fd: number | null = null;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some platforms cannot fsync a directory; the rename is still atomic.
  } finally {
    if (fd !== null) closeSync(fd);
  }
}
