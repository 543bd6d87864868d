import * as fs from 'node:fs';
import * as path from 'node:path';

import {compareEvents} from '../../../core/log/events.js';
import {readUpTo} from '../../fs/read-at.js';

/** Bytes read at a time from either end of a segment while looking for its first or last line. */
const WINDOW = 64 * 1024;
/** A line longer than this is not looked for (the answer is then "cannot tell"). */
const MAX_LINE = 16 * 1024 * 1024;

type Bound = {readonly at: string; readonly event_id: string};

/**
 * Whether the segments, in listing order, surely interleave in time: one starts before the one
 * listed before it ends (what a merge of two clones' histories, or a run's segments sealed
 * out of turn, gives). Only each segment's first and last lines are read. A fold in listing
 * order would then stop part way and start over sorted; the build goes straight to the sorted
 * fold instead. False when it cannot tell (a line it cannot read or parse): the fold in listing
 * order finds out for itself, and reports a bad line as it does.
 */
export function segmentsInterleave(eventsDir: string, names: readonly string[]): boolean {
  let previous: Bound | null = null;
  for (const name of names) {
    const bounds = boundsOf(path.join(eventsDir, name));
    if (bounds === null) return false;
    if (bounds.length === 0) continue;
    const [first, last] = bounds;
    if (compareEvents(first, last) > 0) return true;
    if (previous !== null && compareEvents(previous, first) > 0) return true;
    previous = last;
  }
  return false;
}

/** A segment's first and last events' `at` and id; [] when it holds no line; null when unsure. */
function boundsOf(file: string): [Bound, Bound] | [] | null {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  } catch {
    return null;
  }
  try {
    const size = fs.fstatSync(fd).size;
    const head = firstLine(fd, size);
    const tail = lastLine(fd, size);
    if (head === null || tail === null) return head === tail && size === 0 ? [] : null;
    const first = boundOf(head);
    const last = boundOf(tail);
    return first === null || last === null ? null : [first, last];
  } catch {
    return null;
  } finally {
    fs.closeSync(fd);
  }
}

function firstLine(fd: number, size: number): string | null {
  for (let length = Math.min(WINDOW, size); length > 0; length = Math.min(2 * length, size)) {
    const bytes = readAt(fd, 0, length);
    const text = bytes.toString('utf8');
    const line = text.split('\n').find((candidate, k, all) => candidate.trim() !== '' && k < all.length - 1);
    if (line !== undefined) return line;
    if (length === size || length >= MAX_LINE) return null;
  }
  return null;
}

/** The last newline-terminated, non-blank line (a torn last line is not an event). */
function lastLine(fd: number, size: number): string | null {
  for (let length = Math.min(WINDOW, size); length > 0; length = Math.min(2 * length, size)) {
    const text = readAt(fd, size - length, length).toString('utf8');
    const lines = text.split('\n');
    lines.pop(); // after the last newline: nothing, or a torn line
    if (length < size) lines.shift(); // may start mid-line
    for (let k = lines.length - 1; k >= 0; k -= 1) if (lines[k]!.trim() !== '') return lines[k]!;
    if (length === size || length >= MAX_LINE) return null;
  }
  return null;
}

function boundOf(line: string): Bound | null {
  try {
    const json = JSON.parse(line) as {at?: unknown; event_id?: unknown};
    return typeof json.at === 'string' && typeof json.event_id === 'string'
      ? {at: json.at, event_id: json.event_id}
      : null;
  } catch {
    return null;
  }
}

function readAt(fd: number, position: number, length: number): Buffer {
  const buffer = Buffer.allocUnsafe(length);
  return buffer.subarray(0, readUpTo(fd, buffer, position));
}
