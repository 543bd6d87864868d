import * as fs from 'node:fs';

/**
 * Fills `buffer` from byte `position` of an open file as far as the file goes (a positional
 * read may return fewer bytes than asked); returns how many bytes it read. Callers decide what
 * a short read means: the end of a segment, or a damaged cache file.
 */
export function readUpTo(fd: number, buffer: Uint8Array, position: number): number {
  let done = 0;
  while (done < buffer.length) {
    const n = fs.readSync(fd, buffer, done, buffer.length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return done;
}
