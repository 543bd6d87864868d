import {WRITE_BUFFER_BYTES} from './spill-file.js';
import type {Section, SectionName} from './index-format.js';

/** Writes `bytes` at `position` of the file being built. */
export type IndexSink = (bytes: Buffer, position: number) => void;

/**
 * Writes a base file's sections one after the other through a sink, in buffered writes of
 * about 1 MB, each section starting at a multiple of 4 bytes (uint32 arrays are read straight
 * into typed arrays), and notes where each one lies.
 */
export class SectionWriter {
  readonly sections = {} as Record<SectionName, Section>;
  private readonly buffer = Buffer.allocUnsafe(WRITE_BUFFER_BYTES);
  private buffered = 0;
  /** Where the next byte goes. */
  at = 0;
  private sectionStart = 0;

  constructor(private readonly sink: IndexSink) {}

  /** One whole section. */
  put(name: SectionName, bytes: Buffer): void {
    this.begin();
    this.append(bytes);
    this.end(name);
  }

  /** Starts a section written in pieces (`append`, then `end`). */
  begin(): void {
    this.sectionStart = this.at;
  }

  append(bytes: Buffer): void {
    if (this.buffered + bytes.length > this.buffer.length) this.flush();
    if (bytes.length >= this.buffer.length) {
      this.sink(bytes, this.at);
    } else {
      bytes.copy(this.buffer, this.buffered);
      this.buffered += bytes.length;
    }
    this.at += bytes.length;
  }

  /** Ends the section begun last, padded with `pad` (spaces, or newlines after records). */
  end(name: SectionName, pad = 0x20): void {
    this.sections[name] = [this.sectionStart, this.at - this.sectionStart];
    const padding = (4 - (this.at % 4)) % 4;
    if (padding > 0) this.append(Buffer.alloc(padding, pad));
  }

  /** Bytes after the sections (the header, the trailer), then everything written out. */
  finish(...tail: Buffer[]): void {
    for (const bytes of tail) this.append(bytes);
    this.flush();
  }

  private flush(): void {
    if (this.buffered === 0) return;
    this.sink(this.buffer.subarray(0, this.buffered), this.at - this.buffered);
    this.buffered = 0;
  }
}
