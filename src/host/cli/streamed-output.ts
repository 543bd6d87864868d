import {canonicalJson} from '../../core/serialization/canonical-json.js';
import {stableJson} from './json-output.js';

/**
 * Output printed while it is produced: a listing of 100k tickets is written in chunks of lines
 * and never held whole. The bytes are the same as printing the finished value would give.
 */

/** Where chunks go: resolves once the chunk is handed over (after `drain` when the pipe is full). */
export type ChunkWriter = (chunk: string) => Promise<void>;

const CHUNK_CHARS = 64 * 1024;

/**
 * `stableJson({...fields, [key]: items, total})`, written as it goes. `total` is the number of
 * items; it must be the key right after `key` in sorted order (as `tickets`, `total`).
 */
export async function writeJsonList(
  write: ChunkWriter,
  fields: Record<string, unknown>,
  key: string,
  items: Iterable<unknown>,
): Promise<void> {
  const skeleton = stableJson({...fields, [key]: [], total: 0});
  const empty = `${JSON.stringify(key)}: []`;
  const cut = skeleton.indexOf(empty);
  const totalText = ',\n  "total": 0';
  const tail = skeleton.slice(cut + empty.length);
  if (cut === -1 || !tail.startsWith(totalText))
    throw new Error(`internal error: '${key}' is not followed by 'total'`);
  let buffer = skeleton.slice(0, cut) + `${JSON.stringify(key)}: [`;
  let count = 0;
  for (const item of items) {
    // Each item as `stableJson` would print it two levels deep (inside the object and the list).
    buffer += (count === 0 ? '\n    ' : ',\n    ') + canonicalJson(item, {indent: 2, depth: 2});
    count += 1;
    if (buffer.length >= CHUNK_CHARS) {
      await write(buffer);
      buffer = '';
    }
  }
  buffer += (count === 0 ? ']' : '\n  ]') + `,\n  "total": ${count}` + tail.slice(totalText.length) + '\n';
  await write(buffer);
}

/**
 * A table as `formatTable` prints it, over rows that can be produced twice: once to measure the
 * columns, once to print. Returns the number of rows.
 */
export async function writeTable(
  write: ChunkWriter,
  header: readonly string[],
  rows: () => Iterable<readonly string[]>,
  mask: (line: string) => string = (line) => line,
): Promise<number> {
  const widths = header.map((h) => h.length);
  for (const row of rows()) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  const line = (cells: readonly string[]): string =>
    mask(
      cells
        .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
    ) + '\n';
  let buffer = line(header);
  let count = 0;
  for (const row of rows()) {
    buffer += line(row);
    count += 1;
    if (buffer.length >= CHUNK_CHARS) {
      await write(buffer);
      buffer = '';
    }
  }
  await write(buffer);
  return count;
}

/**
 * A writer to a stream that waits for `drain` when the stream asks for it. When the reader went
 * away (`... --json | head`), the rest has nobody to read it: it is dropped and the command ends
 * as it would have, as `git log | head` does, rather than reporting the closed pipe as an error.
 */
export function streamWriter(stream: NodeJS.WritableStream): ChunkWriter {
  let readerGone = false;
  return (chunk) =>
    new Promise((resolve, reject) => {
      if (chunk === '' || readerGone) {
        resolve();
        return;
      }
      const ok = stream.write(chunk, (error) => {
        if (!error) return;
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED') {
          readerGone = true;
          resolve();
        } else reject(error);
      });
      if (ok) resolve();
      else stream.once('drain', () => resolve());
    });
}
