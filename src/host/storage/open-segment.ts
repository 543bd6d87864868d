import {createHash} from 'node:crypto';
import * as os from 'node:os';

/**
 * Open segments: how one command run writes ONE committed segment however many transactions it
 * makes, without weakening what a transaction promises.
 *
 * Each transaction of a run is written atomically (temp file, fsync, rename) as its own file
 * `events/<ULID>.open-<host>-<pid>.jsonl`. Readers list and fold it like any segment, so a
 * record is visible and durable the moment its transaction returns. Git ignores these files
 * (`.kittify/tracker/.gitignore`), so a `git add` in the middle of a run takes only sealed
 * segments. At the end of the run (or once about `SEAL_AT_EVENTS` events are open) the run's
 * open files are sealed under the writer lock into one committed segment `events/<ULID>.jsonl`,
 * named after the first open file, and only then deleted. A run that dies leaves its open files;
 * the next writer whose owner check finds their process gone adopts them into its own run.
 */

/** A run seals its open files once they hold this many events (a long pull writes many segments). */
export const SEAL_AT_EVENTS = 1000;

/** An open file whose owner cannot be checked (another host) is taken as abandoned after this long. */
export const ABANDONED_AFTER_MS = 3600_000;

const OPEN_NAME = /^([0-9A-HJKMNP-TV-Z]{26})\.open-([0-9a-f]{8})-([0-9]{1,10})\.jsonl$/;

export interface OpenSegmentOwner {
  /** The segment's own ULID: also the name of the sealed segment it heads. */
  readonly id: string;
  readonly host: string;
  readonly pid: number;
}

let hostTag: string | null = null;

/** 8 hex of the host name's hash: tells this machine's runs from another's on a shared disk. */
export function thisHost(): string {
  hostTag ??= createHash('sha256').update(os.hostname()).digest('hex').slice(0, 8);
  return hostTag;
}

export function openSegmentName(id: string): string {
  return `${id}.open-${thisHost()}-${process.pid}.jsonl`;
}

export function parseOpenSegmentName(name: string): OpenSegmentOwner | null {
  const match = OPEN_NAME.exec(name);
  return match ? {id: match[1]!, host: match[2]!, pid: Number(match[3])} : null;
}

export function isOpenSegmentName(name: string): boolean {
  return parseOpenSegmentName(name) !== null;
}

/** The committed name an open segment seals to when it heads its run's seal. */
export function sealedNameOf(owner: OpenSegmentOwner): string {
  return `${owner.id}.jsonl`;
}

/**
 * Open files owned by a live log in THIS process (absolute paths). Another log instance of the
 * same scope in the same process (tests, library users) must not take them over.
 */
const ownedHere = new Set<string>();

export function claimOpenFile(file: string): void {
  ownedHere.add(file);
}

export function releaseOpenFile(file: string): void {
  ownedHere.delete(file);
}

/**
 * Whether the run that wrote an open file is gone, so a writer may adopt (seal) its file:
 * - this process: gone unless a live log here still owns the file;
 * - another process on this host: gone when no process has that pid;
 * - any owner: gone when the file is older than `ABANDONED_AFTER_MS` (pid reuse, other hosts).
 * A wrong "alive" only delays the seal; a wrong "gone" while the owner still runs is also safe:
 * the owner seals only what is still open when it ends, so no record is lost or sealed twice.
 */
export function ownerIsGone(file: string, owner: OpenSegmentOwner, mtimeMs: number, nowMs: number): boolean {
  if (nowMs - mtimeMs > ABANDONED_AFTER_MS) return true;
  if (owner.host !== thisHost()) return false;
  if (owner.pid === process.pid) return !ownedHere.has(file);
  try {
    process.kill(owner.pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** Logs with open files in this process. */
const runsInProgress = new Set<{endRun(): Promise<void>}>();

/**
 * Where a command collects the logs it opened runs in, to seal them when it ends: the base
 * command puts a Set here when it starts (it must not import the storage, which most commands
 * never load) and ends the runs it finds there, and only those.
 */
export const COMMAND_RUNS_SLOT = Symbol.for('spec-kitty.tracker.commandRuns');

export function trackRun(log: {endRun(): Promise<void>}): void {
  runsInProgress.add(log);
  const collector = (globalThis as unknown as Record<symbol, unknown>)[COMMAND_RUNS_SLOT];
  if (collector instanceof Set) collector.add(log);
}

export function untrackRun(log: {endRun(): Promise<void>}): void {
  runsInProgress.delete(log);
}

/** Seals every run of this process (tests and library users; commands seal their own). */
export async function endAllRuns(): Promise<void> {
  const errors: unknown[] = [];
  for (const log of [...runsInProgress]) {
    try {
      await log.endRun();
    } catch (error) {
      errors.push(error);
    }
  }
  if (errors.length > 0) throw errors[0];
}
