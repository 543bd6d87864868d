import {randomBytes} from 'node:crypto';
import * as fsSync from 'node:fs';
import {constants, lstatSync, promises as fs} from 'node:fs';
import * as path from 'node:path';

import {StorageError} from './errors.js';

/**
 * Small file-system primitives the stores share: refuse symbolic links, write files atomically
 * (temp file in the same folder, fsync, rename, fsync the folder), read without following links.
 */

/** Temp files start with a dot and end in `.tmp`, so readers skip them and git ignores them. */
export const TEMP_SUFFIX = '.tmp';

export function isTempName(name: string): boolean {
  return name.startsWith('.') && name.endsWith(TEMP_SUFFIX);
}

/**
 * Throws when `target` or any folder between `base` (exclusive) and `target` is a symbolic
 * link. Missing components are fine (they will be created as real folders). Synchronous on
 * purpose: a handful of lstats the page cache answers at once, cheaper than a thread-pool
 * round trip each (the read cache runs it on every freshness check).
 */
export function assertNoSymlinks(base: string, target: string): void {
  const relative = path.relative(base, target);
  if (relative.startsWith('..') || path.isAbsolute(relative)) {
    throw new StorageError(`refusing to use ${target}: it is outside ${base}`, {path: target});
  }
  let current = base;
  for (const part of relative.split(path.sep).filter(Boolean)) {
    current = path.join(current, part);
    let stat;
    try {
      stat = lstatSync(current);
    } catch (error) {
      if (isNotFound(error)) return;
      throw error;
    }
    if (stat.isSymbolicLink()) throw symlinkError(current);
  }
}

export function symlinkError(file: string): StorageError {
  return new StorageError(`refusing to read or write through a symbolic link: ${file}`, {
    path: file,
    hint: 'The tracker reads and writes real files only. Replace the link with the folder or file it points to.',
  });
}

/** Reads a file without following a symbolic link (O_NOFOLLOW), or null when it is missing. */
export async function readFileNoFollow(file: string): Promise<Buffer | null> {
  let handle;
  try {
    handle = await fs.open(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    if (isNotFound(error)) return null;
    if ((error as NodeJS.ErrnoException).code === 'ELOOP') throw symlinkError(file);
    throw error;
  }
  try {
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

export function tempPathFor(target: string): string {
  return path.join(
    path.dirname(target),
    `.${path.basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}${TEMP_SUFFIX}`,
  );
}

/**
 * Writes `data` to `target` atomically: readers see the old file or the whole new one, never
 * part of it, even if the process dies mid-write. `beforeRename` may abort (e.g. a lost lock).
 * The temp file is created with `mode` (default 0644), so a secret is never briefly readable by
 * others; a symbolic link at `target` is refused, not silently replaced by a file.
 *
 * Only the fsyncs (the disk's part) go to the thread pool; open, write, close and rename are
 * calls the page cache answers at once. Awaited one by one, those four each waited for a turn
 * of an event loop that a long pull keeps busy, and the pull's next batch waited for them.
 */
export async function writeFileAtomic(
  target: string,
  data: string | Buffer | readonly Buffer[],
  options: {beforeRename?: () => void; mode?: number} = {},
): Promise<void> {
  assertNotSymlink(target);
  const temp = tempPathFor(target);
  let fd: number | undefined;
  try {
    fd = writeTempFile(temp, data, options.mode);
    await fsyncFd(fd);
    fsSync.closeSync(fd);
    fd = undefined;
    options.beforeRename?.();
    fsSync.renameSync(temp, target);
  } catch (error) {
    discardTempFile(temp, fd);
    throw error;
  }
  await fsyncDir(path.dirname(target));
}

/**
 * `writeFileAtomic` for synchronous callers (config and credentials files, written inside a
 * synchronous read-modify-write): the same steps and guarantees, with the fsyncs run inline.
 */
export function writeFileAtomicSync(
  target: string,
  data: string | Buffer,
  options: {mode?: number} = {},
): void {
  assertNotSymlink(target);
  const temp = tempPathFor(target);
  let fd: number | undefined;
  try {
    fd = writeTempFile(temp, data, options.mode);
    fsSync.fsyncSync(fd);
    fsSync.closeSync(fd);
    fd = undefined;
    fsSync.renameSync(temp, target);
  } catch (error) {
    discardTempFile(temp, fd);
    throw error;
  }
  fsyncDirSync(path.dirname(target));
}

/** A rename over a symbolic link would replace the link with a file behind the user's back. */
function assertNotSymlink(target: string): void {
  let stat;
  try {
    stat = fsSync.lstatSync(target);
  } catch (error) {
    if (isNotFound(error)) return;
    throw error;
  }
  if (stat.isSymbolicLink()) throw symlinkError(target);
}

/** Creates `temp` (never an existing file or link) with `mode`, writes all of `data`; returns the open fd. */
/** Writes `data` to a new file; pieces of a Buffer array one after another (never joined). */
function writeTempFile(temp: string, data: string | Buffer | readonly Buffer[], mode = 0o644): number {
  const pieces =
    typeof data === 'string' ? [Buffer.from(data, 'utf8')] : Buffer.isBuffer(data) ? [data] : data;
  const fd = fsSync.openSync(
    temp,
    constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
    mode,
  );
  try {
    for (const bytes of pieces)
      for (let at = 0; at < bytes.length;) at += fsSync.writeSync(fd, bytes, at, bytes.length - at);
  } catch (error) {
    fsSync.closeSync(fd);
    throw error;
  }
  return fd;
}

function discardTempFile(temp: string, fd: number | undefined): void {
  if (fd !== undefined) {
    try {
      fsSync.closeSync(fd);
    } catch {
      // already failing: the first error is the one to report
    }
  }
  fsSync.rmSync(temp, {force: true});
}

/** Makes a rename or unlink in `dir` durable (POSIX); a no-op where folders cannot be opened. */
export async function fsyncDir(dir: string): Promise<void> {
  const fd = openDirToSync(dir);
  if (fd === null) return;
  await fsyncFd(fd)
    .catch(() => undefined) // some platforms cannot fsync a folder; the rename is still atomic there
    .finally(() => fsSync.closeSync(fd));
}

/** `fsyncDir` for synchronous callers. */
function fsyncDirSync(dir: string): void {
  const fd = openDirToSync(dir);
  if (fd === null) return;
  try {
    fsSync.fsyncSync(fd);
  } catch {
    // Some platforms cannot fsync a folder; the rename is still atomic there.
  } finally {
    fsSync.closeSync(fd);
  }
}

/** The folder opened for an fsync; null where folders cannot be opened (Windows: the rename is still atomic there). */
function openDirToSync(dir: string): number | null {
  try {
    return fsSync.openSync(dir, constants.O_RDONLY);
  } catch {
    return null;
  }
}

function fsyncFd(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fsSync.fsync(fd, (error) => (error ? reject(error) : resolve())));
}

/** Creates `dir` (and parents under `base`) after checking no component is a symbolic link. */
export async function ensureRealDir(base: string, dir: string): Promise<void> {
  assertNoSymlinks(base, dir);
  await fs.mkdir(dir, {recursive: true});
  assertNoSymlinks(base, dir);
}

export function isNotFound(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}
