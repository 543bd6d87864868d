import {existsSync, promises as fs} from 'node:fs';
import * as path from 'node:path';

import {canonicalJson, foldTrackerLog, type TrackerEvent} from '../../core/index.js';
import {ensureIgnoreRules, ignoreRulesCurrent} from './ignore-rules.js';
import {JsonlEventLog} from './jsonl-event-log.js';
import {StorageError} from '../fs/errors.js';
import {assertNoSymlinks, isNotFound, isTempName, readFileNoFollow} from '../fs/safe-fs.js';
import {isSegmentName, parseSegment} from './segment-file.js';
import {repairTornTail, tornTail, type TornTailRepair} from './torn-tail.js';
import {WRITER_LOCK_NAME} from './scope.js';
import {isOpenSegmentName} from './open-segment.js';
import type {DoctorFinding, FindingCode} from './doctor-finding.js';

export type {DoctorFinding, FindingCode} from './doctor-finding.js';

/** The invariant each kind of damage breaks: its finding names it. */
const BROKEN_INVARIANT: Partial<Record<FindingCode, string>> = {
  invalid_line: 'INV-4',
  torn_tail: 'INV-4',
  duplicate_event: 'INV-3',
  symlink: 'INV-8',
  ignore_rules: 'INV-11',
};

/** A new finding, not fixed yet; one that reports damage names the invariant it breaks. */
function newFinding(finding: Omit<DoctorFinding, 'fixed' | 'invariant'>): DoctorFinding {
  const invariant = BROKEN_INVARIANT[finding.code];
  if (invariant === undefined) return {...finding, fixed: false};
  return {...finding, message: `${finding.message} [${invariant}]`, fixed: false, invariant};
}

export interface DoctorReport {
  readonly scopeDir: string;
  readonly segments: number;
  readonly events: number;
  readonly findings: DoctorFinding[];
  /** No error left (after fixing, when fixing). */
  readonly ok: boolean;
}

export interface DoctorOptions {
  readonly root: string;
  readonly scopeDir: string;
  /** Repair what can be repaired without losing data. */
  readonly fix?: boolean;
  /** A lock older than this is stale (default 10 s, as the writers' proper-lockfile setting). */
  readonly staleMs?: number;
  readonly now?: Date;
}

/** What the checks share while they look through one scope. */
interface DoctorScan {
  readonly root: string;
  readonly log: JsonlEventLog;
  readonly lockPath: string;
  readonly nowMs: number;
  readonly staleMs: number;
  readonly findings: DoctorFinding[];
  /** Torn tails found, with how to repair each. */
  readonly torn: TornTailRepair[];
  /** Every valid event read, in file order, for the fold check. */
  readonly events: TrackerEvent[];
  segments: number;
}

type DoctorCheck = (scan: DoctorScan) => Promise<void> | void;

/** The checks, in the order their findings are listed. */
const DOCTOR_CHECKS: readonly DoctorCheck[] = [
  checkWriterLock,
  checkSegments,
  checkFold,
  checkCheckpoints,
  checkIgnoreRules,
];

/**
 * Checks one scope: every line of every segment (all problems, not just the first), torn
 * tails, duplicate event ids with different contents, what the fold noticed (mapping conflicts
 * after merges), locks and temp files left by dead processes, damaged checkpoints, ignore rules.
 * With `fix`, it repairs torn tails without losing a byte and without rewriting what git tracks
 * (see torn-tail.ts), removes debris and damaged checkpoints (they are reconstructible) and
 * rewrites the ignore rules; it never edits or drops a valid event.
 */
export async function doctorScope(options: DoctorOptions): Promise<DoctorReport> {
  const root = path.resolve(options.root);
  const log = new JsonlEventLog({root, scopeDir: options.scopeDir});
  const scan: DoctorScan = {
    root,
    log,
    lockPath: path.join(log.scopeDir, WRITER_LOCK_NAME),
    nowMs: (options.now ?? new Date()).getTime(),
    staleMs: options.staleMs ?? 10_000,
    findings: [],
    torn: [],
    events: [],
    segments: 0,
  };
  const linked = symlinkFinding(scan);
  if (linked) return {scopeDir: log.scopeDir, segments: 0, events: 0, findings: [linked], ok: false};
  for (const check of DOCTOR_CHECKS) await check(scan);
  if (options.fix) await repair(root, log, scan.findings, scan.torn, scan.lockPath);
  const ok = scan.findings.every((f) => f.fixed || !needsAction(f));
  return {
    scopeDir: log.scopeDir,
    segments: scan.segments,
    events: scan.events.length,
    findings: scan.findings,
    ok,
  };
}

function relativePath(root: string, file: string): string {
  return path.relative(root, file).split(path.sep).join('/');
}

function add(scan: DoctorScan, finding: Omit<DoctorFinding, 'fixed'>): void {
  scan.findings.push(newFinding(finding));
}

/** A link on the way to the events folder: nothing below it is read. */
function symlinkFinding(scan: DoctorScan): DoctorFinding | null {
  try {
    assertNoSymlinks(scan.root, scan.log.eventsDir);
    return null;
  } catch (error) {
    // Anything but a link (a file where a folder should be, no permission) is not a finding:
    // the command's error names the path and what to do.
    if (!(error instanceof StorageError)) throw error;
    return newFinding({
      code: 'symlink',
      severity: 'error',
      message: error.message, // names the link
      ...(error.path === undefined ? {} : {path: relativePath(scan.root, error.path)}),
      fixable: false,
    });
  }
}

/** Locks left behind by killed processes. */
async function checkWriterLock(scan: DoctorScan): Promise<void> {
  const lockStat = await fs.lstat(scan.lockPath).catch(() => null);
  if (!lockStat) return;
  const lock = relativePath(scan.root, scan.lockPath);
  const age = scan.nowMs - lockStat.mtimeMs;
  if (age > scan.staleMs) {
    add(scan, {
      code: 'stale_lock',
      severity: 'info',
      message: `${lock}: stale writer lock (${Math.round(age / 1000)} s old); harmless: the next writer takes it over (--fix removes it)`,
      path: lock,
      fixable: true,
    });
  } else {
    add(scan, {
      code: 'active_lock',
      severity: 'info',
      message: `${lock}: a writer is running now`,
      path: lock,
      fixable: false,
    });
  }
}

/** Every file of the events folder: debris, links, open segments, then each segment's lines. */
async function checkSegments(scan: DoctorScan): Promise<void> {
  const names = await fs.readdir(scan.log.eventsDir).catch((error: unknown) => {
    if (isNotFound(error)) return [] as string[];
    throw error;
  });
  const seen = new Map<string, {text: string; where: string}>();
  for (const name of names.sort()) {
    const file = path.join(scan.log.eventsDir, name);
    const rel = relativePath(scan.root, file);
    if (isTempName(name)) {
      add(scan, leftoverTempFile(rel));
    } else if (!isSegmentName(name)) {
      add(scan, {
        code: 'unknown_file',
        severity: 'info',
        message: `${rel}: not a tracker segment; ignored by readers`,
        path: rel,
        fixable: false,
      });
    } else if ((await fs.lstat(file)).isSymbolicLink()) {
      add(scan, {
        code: 'symlink',
        severity: 'error',
        message: `${rel} is a symbolic link; readers refuse it (replace it with the file it points to)`,
        path: rel,
        fixable: false,
      });
    } else {
      scan.segments += 1;
      if (isOpenSegmentName(name)) add(scan, openSegment(rel));
      await checkSegmentLines(scan, name, file, seen);
    }
  }
}

function openSegment(rel: string): Omit<DoctorFinding, 'fixed'> {
  return {
    code: 'open_segment',
    severity: 'info',
    message: `${rel}: records of a command that is running or was interrupted (git-ignored until sealed; readers already see them); sealed into a committed segment when the next command that writes ends, or by --fix once its process is gone`,
    path: rel,
    fixable: true,
  };
}

/** One segment: every invalid line, a torn tail, and event ids seen before with other contents. */
async function checkSegmentLines(
  scan: DoctorScan,
  name: string,
  file: string,
  seen: Map<string, {text: string; where: string}>,
): Promise<void> {
  const rel = relativePath(scan.root, file);
  const bytes = await fs.readFile(file);
  const parsed = parseSegment(name, bytes.toString('utf8'), rel, {tolerant: true});
  for (const error of parsed.errors) {
    add(scan, {
      code: 'invalid_line',
      severity: 'error',
      message: error.message,
      path: `${rel}:${error.line}`,
      fixable: false,
    });
  }
  if (parsed.tornTailAt !== null) {
    const tail = await tornTail(scan.root, scan.log.scopeDir, file, bytes, parsed, scan.nowMs);
    add(scan, tail.finding);
    if (tail.repair) scan.torn.push(tail.repair);
  }
  for (const [i, event] of parsed.events.entries()) {
    const text = canonicalJson(event);
    const where = `${rel}:${i + 1}`;
    const previous = seen.get(event.event_id);
    if (!previous) seen.set(event.event_id, {text, where});
    else if (previous.text !== text) {
      add(scan, {
        code: 'duplicate_event',
        severity: 'error',
        message: `event ${event.event_id} appears with different contents at ${previous.where} and ${where}; the first one (by file name) is used`,
        path: where,
        fixable: false,
      });
    }
    scan.events.push(event);
  }
}

/** What the fold noticed (mapping conflicts after merges). */
function checkFold(scan: DoctorScan): void {
  for (const diagnostic of foldTrackerLog(scan.events).diagnostics) {
    add(scan, {
      code: 'fold_diagnostic',
      severity: diagnostic.code === 'mapping_conflict' ? 'warning' : 'info',
      message: `${diagnostic.code}: ${diagnostic.message} (event ${diagnostic.event_id})`,
      fixable: false,
    });
  }
}

/** Checkpoints: per-clone and reconstructible, so a damaged one may simply go. */
async function checkCheckpoints(scan: DoctorScan): Promise<void> {
  const checkpointDir = path.join(scan.log.scopeDir, 'state', 'checkpoints');
  for (const name of (await fs.readdir(checkpointDir).catch(() => [] as string[])).sort()) {
    const file = path.join(checkpointDir, name);
    const rel = relativePath(scan.root, file);
    if (isTempName(name)) {
      add(scan, leftoverTempFile(rel));
    } else if (name.endsWith('.json')) {
      const bytes = await readFileNoFollow(file).catch(() => null);
      try {
        JSON.parse(bytes?.toString('utf8') ?? '');
      } catch {
        add(scan, {
          code: 'damaged_checkpoint',
          severity: 'info',
          message: `${rel}: damaged checkpoint; harmless: pulls resume from the log (--fix removes it)`,
          path: rel,
          fixable: true,
        });
      }
    }
  }
}

/** Only in a scope that has something in it: an empty one is not asked to have rules. */
async function checkIgnoreRules(scan: DoctorScan): Promise<void> {
  if ((scan.segments > 0 || scan.findings.length > 0) && !(await ignoreRulesCurrent(scan.root))) {
    add(scan, {
      code: 'ignore_rules',
      severity: 'warning',
      message: '.kittify/tracker/.gitignore is missing or out of date',
      fixable: true,
    });
  }
}

/**
 * Whether a finding left as it is makes the scope unhealthy (doctor exits 1): an error, or a
 * warning that `--fix` would repair. Harmless leftovers are `info` and say so in their message.
 */
export function needsAction(finding: Pick<DoctorFinding, 'severity' | 'fixable'>): boolean {
  return finding.severity === 'error' || (finding.severity === 'warning' && finding.fixable);
}

function leftoverTempFile(file: string): Omit<DoctorFinding, 'fixed'> {
  return {
    code: 'temp_file',
    severity: 'info',
    message: `${file}: leftover temp file of an interrupted write; harmless: readers skip it and git ignores it (--fix removes it)`,
    path: file,
    fixable: true,
  };
}

async function repair(
  root: string,
  log: JsonlEventLog,
  findings: DoctorFinding[],
  torn: TornTailRepair[],
  lockPath: string,
): Promise<void> {
  const stale = findings.find((f) => f.code === 'stale_lock');
  if (stale) {
    await fs.rm(lockPath, {recursive: true, force: true});
    stale.fixed = true;
  }
  const open = findings.filter((f) => f.code === 'open_segment');
  if (open.length > 0) {
    // Seals the open segments whose run is gone (a live command's are left to it).
    await log.endRun({recover: true});
    for (const finding of open) finding.fixed = !existsSync(path.join(root, finding.path!));
  }
  const pending = findings.filter((f) => f.fixable && !f.fixed && f.code !== 'open_segment');
  if (pending.length === 0) return;
  // Under the writer lock: a temp file may belong to a writer that is still alive.
  await log.withWriterLock(async () => {
    for (const finding of pending) {
      const file = finding.path ? path.join(root, finding.path) : null;
      switch (finding.code) {
        case 'temp_file':
        case 'damaged_checkpoint':
          await fs.rm(file!, {force: true});
          break;
        case 'torn_tail': {
          const target = torn.find((t) => t.file === file);
          // An open segment sealed above took only its complete lines: nothing left to cut.
          if (!target || !existsSync(target.file) || !(await repairTornTail(root, target))) continue;
          break;
        }
        case 'ignore_rules':
          await ensureIgnoreRules(root);
          break;
        default:
          continue;
      }
      finding.fixed = true;
    }
  });
  log.invalidate();
}
