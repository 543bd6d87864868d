import {randomBytes} from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

import {readUpTo} from '../../fs/read-at.js';
import {TEMP_SUFFIX} from '../../fs/safe-fs.js';
import {GrowingArray} from './growing-array.js';

/** Bytes buffered before a write (both into the spill file and into the base file). */
export const WRITE_BUFFER_BYTES = 1 << 20;

/** Lines read back per batch of runs (bounds the bytes read at once). */
const LINES_PER_READ = 2048;

/**
 * A scratch file of record lines, numbered in the order they were added: what a build keeps
 * of the entries it folded, on disk instead of in memory. Temp-named in the cache folder, so a
 * build that dies leaves a file the next build's sweep removes.
 */
export class SpillFile {
  private readonly fd: number;
  readonly file: string;
  private readonly starts = new GrowingArray(Float64Array);
  private readonly lengths = new GrowingArray(Uint32Array);
  private buffer = Buffer.allocUnsafe(WRITE_BUFFER_BYTES);
  private buffered = 0;
  /** Where `runs` reads (reused: a new buffer per read is garbage only a major collection frees). */
  private readBuffer = Buffer.allocUnsafe(64 * 1024);
  private flushedTo = 0;
  private disposed = false;
  private readonly siblings: SpillFile[] = [];

  constructor(dir: string) {
    this.file = path.join(
      dir,
      `.read-index.spill.${process.pid}.${randomBytes(4).toString('hex')}${TEMP_SUFFIX}`,
    );
    this.fd = fs.openSync(
      this.file,
      fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW,
      0o600,
    );
  }

  get count(): number {
    return this.lengths.length;
  }

  /** Adds bytes as one record; returns its number (`records` reads them back). */
  addBytes(bytes: Uint8Array): number {
    if (this.buffered + bytes.length > this.buffer.length) this.flush();
    if (bytes.length > this.buffer.length) this.buffer = Buffer.allocUnsafe(2 * bytes.length);
    this.buffer.set(bytes, this.buffered);
    this.starts.push(this.flushedTo + this.buffered);
    this.lengths.push(bytes.length);
    this.buffered += bytes.length;
    return this.lengths.length - 1;
  }

  /** Adds one line (with its `\n`); returns its number. */
  add(line: string): number {
    const length = Buffer.byteLength(line);
    if (this.buffered + length > this.buffer.length) this.flush();
    if (length > this.buffer.length) this.buffer = Buffer.allocUnsafe(2 * length);
    this.buffer.write(line, this.buffered, length === line.length ? 'latin1' : 'utf8');
    this.starts.push(this.flushedTo + this.buffered);
    this.lengths.push(length);
    this.buffered += length;
    return this.lengths.length - 1;
  }

  lengthOf(number: number): number {
    return this.lengths.get(number);
  }

  /** Whether record `number` begins with `prefix` (its first bytes, read alone). */
  startsWith(number: number, prefix: Buffer): boolean {
    if (prefix.length > this.lengths.get(number)) return false;
    const start = this.starts.get(number);
    if (start >= this.flushedTo)
      return (
        this.buffer.compare(
          prefix,
          0,
          prefix.length,
          start - this.flushedTo,
          start - this.flushedTo + prefix.length,
        ) === 0
      );
    const head = Buffer.allocUnsafe(prefix.length);
    return readUpTo(this.fd, head, start) === head.length && head.equals(prefix);
  }

  /** Line `number`, as text. */
  text(number: number): string {
    let text = '';
    this.runs([number], (run) => (text = run.toString('utf8')));
    return text;
  }

  /**
   * The bytes of lines `numbers`, in that order, reading runs of lines that lie next to each
   * other in the file at once (a build copies them in record order, mostly the order they
   * came in), up to about 1 MB a read: `visit` gets each run, whole, in a buffer reused for the
   * next one (it must copy what it keeps).
   */
  runs(numbers: ArrayLike<number>, visit: (run: Buffer) => void): void {
    this.flush();
    for (let k = 0; k < numbers.length;) {
      const from = this.starts.get(numbers[k]!);
      let to = from + this.lengths.get(numbers[k]!);
      let end = k + 1;
      while (
        end < numbers.length &&
        this.starts.get(numbers[end]!) === to &&
        to - from + this.lengths.get(numbers[end]!) <= WRITE_BUFFER_BYTES
      ) {
        to += this.lengths.get(numbers[end]!);
        end += 1;
      }
      if (this.readBuffer.length < to - from) this.readBuffer = Buffer.allocUnsafe(to - from);
      const run = this.readBuffer.subarray(0, to - from);
      if (readUpTo(this.fd, run, from) < run.length)
        throw new Error('read index: the spill file ended early');
      visit(run);
      k = end;
    }
  }

  /** Lines `numbers` as text (without their `\n`), in that order: `visit(text, k)` for `numbers[k]`. */
  lines(numbers: ArrayLike<number>, visit: (text: string, k: number) => void): void {
    this.records(numbers, (run, from, end, k) => visit(run.toString('utf8', from, end - 1), k));
  }

  /**
   * Records `numbers`, in that order, a batch of runs at a time: `visit(run, from, end, k)` for
   * `numbers[k]`, whose bytes are `run[from..end)`.
   */
  records(
    numbers: ArrayLike<number>,
    visit: (run: Buffer, from: number, end: number, k: number) => void,
  ): void {
    for (let first = 0; first < numbers.length; first += LINES_PER_READ) {
      const batch = Array.prototype.slice.call(numbers, first, first + LINES_PER_READ) as number[];
      let k = first;
      this.runs(batch, (run) => {
        for (let from = 0; from < run.length; k += 1) {
          const end = from + this.lengths.get(numbers[k]!);
          visit(run, from, end, k);
          from = end;
        }
      });
    }
  }

  /** Another spill file in the same folder, removed with this one. */
  sibling(): SpillFile {
    const other = new SpillFile(path.dirname(this.file));
    this.siblings.push(other);
    return other;
  }

  /** Closes and removes the file (once: a second call does nothing, the descriptor may be reused). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const other of this.siblings) other.dispose();
    try {
      fs.closeSync(this.fd);
    } catch {
      // closed already
    }
    try {
      fs.unlinkSync(this.file);
    } catch {
      // gone already
    }
  }

  private flush(): void {
    for (let done = 0; done < this.buffered;) {
      done += fs.writeSync(this.fd, this.buffer, done, this.buffered - done, this.flushedTo + done);
    }
    this.flushedTo += this.buffered;
    this.buffered = 0;
  }
}
