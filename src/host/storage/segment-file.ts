import {promises as fs} from 'node:fs';
import * as path from 'node:path';

import {parseTrackerEvent, TrackerError, type TrackerEvent} from '../../core/index.js';
import {StorageError} from '../fs/errors.js';
import {readFileNoFollow} from '../fs/safe-fs.js';

/**
 * One immutable segment of a scope's log: `events/<ULID>.jsonl` (or a compaction snapshot),
 * one canonical JSON event per line. Parsing is strict: a bad line anywhere is an error naming
 * file and line, except a torn last line (no newline, not JSON), which only a crash can leave.
 */
export interface ParsedSegment {
  readonly name: string;
  readonly events: TrackerEvent[];
  /** The raw text of each event's line, parallel to `events` (doctor compares duplicates). */
  readonly lines: string[];
  /** Byte offset where a torn last line starts, or null. */
  readonly tornTailAt: number | null;
  readonly warnings: string[];
  /** Invalid lines, only collected (instead of thrown) when parsing tolerantly for doctor. */
  readonly errors: {readonly line: number; readonly message: string}[];
}

export {isSegmentName, SEGMENT_NAME} from './segment-name.js';

export interface SegmentLocation {
  /** Absolute path. */
  readonly file: string;
  /** How to name it in messages (relative to the repository root). */
  readonly display: string;
}

export async function readSegment(location: SegmentLocation): Promise<ParsedSegment> {
  const bytes = await readFileNoFollow(location.file);
  if (bytes === null) {
    throw new StorageError(`${location.display} disappeared while reading`, {
      path: location.file,
      hint: 'Another process compacted the log meanwhile; run the command again.',
    });
  }
  return parseSegment(path.basename(location.file), bytes.toString('utf8'), location.display);
}

export function parseSegment(
  name: string,
  text: string,
  display: string,
  options: {tolerant?: boolean} = {},
): ParsedSegment {
  const errors: {line: number; message: string}[] = [];
  const events: TrackerEvent[] = [];
  const lines: string[] = [];
  const warnings: string[] = [];
  let tornTailAt: number | null = null;
  let offset = 0;
  let lineNo = 0;
  while (offset < text.length) {
    lineNo += 1;
    const end = text.indexOf('\n', offset);
    const terminated = end !== -1;
    const line = terminated ? text.slice(offset, end) : text.slice(offset);
    const start = offset;
    offset = terminated ? end + 1 : text.length;
    let parsed: ParsedLine;
    try {
      parsed = parseSegmentLine(display, lineNo, line, terminated);
    } catch (error) {
      if (!options.tolerant || !(error instanceof StorageError)) throw error;
      errors.push({line: lineNo, message: error.message});
      continue;
    }
    if (parsed === null) continue;
    if ('torn' in parsed) {
      tornTailAt = Buffer.byteLength(text.slice(0, start), 'utf8');
      warnings.push(parsed.torn);
      break;
    }
    events.push(parsed);
    lines.push(line);
  }
  return {name, events, lines, tornTailAt, warnings, errors};
}

/** A line's event; null for a blank line; the warning for a torn last line. */
export type ParsedLine = TrackerEvent | {readonly torn: string} | null;

/**
 * One line of a segment (`terminated`: a newline follows it), parsed strictly: an invalid line
 * throws an error naming file and line, except an unterminated one that is not JSON (only a
 * crash leaves one), which is the torn tail: the caller stops there.
 */
export function parseSegmentLine(
  display: string,
  lineNo: number,
  line: string,
  terminated: boolean,
): ParsedLine {
  if (line.trim() === '') return null;
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch (error) {
    if (!terminated) {
      return {
        torn: `${display}:${lineNo}: ignored an incomplete last line (${Buffer.byteLength(line, 'utf8')} bytes, left by an interrupted write); run 'spec-kitty tracker doctor --fix' to remove it`,
      };
    }
    throw lineError(display, lineNo, `invalid JSON (${(error as Error).message})`);
  }
  try {
    return parseTrackerEvent(json);
  } catch (error) {
    if (!(error instanceof TrackerError)) throw error;
    throw lineError(display, lineNo, `invalid event: ${error.message}`, error.hint);
  }
}

function lineError(display: string, lineNo: number, what: string, extraHint?: string): StorageError {
  return new StorageError(`${display}:${lineNo}: ${what}`, {
    path: display,
    hint:
      (extraHint ? `${extraHint} ` : '') +
      'A damaged line is never skipped or rewritten silently [INV-4]. Restore the file from git (git checkout -- <file>) or fix that line by hand, then run spec-kitty tracker doctor to check the scope.',
  });
}

/** Removes a torn last line (and only that); returns whether anything changed. */
export async function truncateTornTail(file: string, at: number): Promise<void> {
  const handle = await fs.open(file, 'r+');
  try {
    await handle.truncate(at);
    await handle.sync();
  } finally {
    await handle.close();
  }
}
