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

export type FindingCode =
  | 'symlink'
  | 'invalid_line'
  | 'torn_tail'
  | 'duplicate_event'
  | 'fold_diagnostic'
  | 'stale_lock'
  | 'active_lock'
  | 'temp_file'
  | 'unknown_file'
  | 'open_segment'
  | 'damaged_checkpoint'
  | 'ignore_rules';

export interface DoctorFinding {
  readonly code: FindingCode;
  /** error: data needs a person; warning: repairable or worth a look; info: harmless. */
  readonly severity: 'error' | 'warning' | 'info';
  readonly message: string;
  /** Relative to the repository root, when the finding is about a file. */
  readonly path?: string;
  /** `fix` can repair it without losing data. */
  readonly fixable: boolean;
  fixed: boolean;
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
  const rel = (file: string) => path.relative(root, file).split(path.sep).join('/');
  const findings: DoctorFinding[] = [];
  const add = (finding: Omit<DoctorFinding, 'fixed'>) => findings.push({...finding, fixed: false});
  const nowMs = (options.now ?? new Date()).getTime();
  const staleMs = options.staleMs ?? 10_000;

  try {
    assertNoSymlinks(root, log.eventsDir);
  } catch (error) {
    // Anything but a link (a file where a folder should be, no permission) is not a finding:
    // the command's error names the path and what to do.
    if (!(error instanceof StorageError)) throw error;
    add({
      code: 'symlink',
      severity: 'error',
      message: error.message, // names the link
      ...(error.path === undefined ? {} : {path: rel(error.path)}),
      fixable: false,
    });
    return {scopeDir: log.scopeDir, segments: 0, events: 0, findings, ok: false};
  }

  // Locks left behind by killed processes.
  const lockPath = path.join(log.scopeDir, WRITER_LOCK_NAME);
  const lockStat = await fs.lstat(lockPath).catch(() => null);
  if (lockStat) {
    const age = nowMs - lockStat.mtimeMs;
    if (age > staleMs) {
      add({
        code: 'stale_lock',
        severity: 'info',
        message: `${rel(lockPath)}: stale writer lock (${Math.round(age / 1000)} s old); harmless: the next writer takes it over (--fix removes it)`,
        path: rel(lockPath),
        fixable: true,
      });
    } else {
      add({
        code: 'active_lock',
        severity: 'info',
        message: `${rel(lockPath)}: a writer is running now`,
        path: rel(lockPath),
        fixable: false,
      });
    }
  }

  const names = await fs.readdir(log.eventsDir).catch((error: unknown) => {
    if (isNotFound(error)) return [] as string[];
    throw error;
  });
  const torn: TornTailRepair[] = [];
  const events: TrackerEvent[] = [];
  const seen = new Map<string, {text: string; where: string}>();
  let segments = 0;
  for (const name of names.sort()) {
    const file = path.join(log.eventsDir, name);
    if (isTempName(name)) {
      add(leftoverTempFile(rel(file)));
      continue;
    }
    if (!isSegmentName(name)) {
      add({
        code: 'unknown_file',
        severity: 'info',
        message: `${rel(file)}: not a tracker segment; ignored by readers`,
        path: rel(file),
        fixable: false,
      });
      continue;
    }
    const stat = await fs.lstat(file);
    if (stat.isSymbolicLink()) {
      add({
        code: 'symlink',
        severity: 'error',
        message: `${rel(file)} is a symbolic link; readers refuse it (replace it with the file it points to)`,
        path: rel(file),
        fixable: false,
      });
      continue;
    }
    segments += 1;
    if (isOpenSegmentName(name)) {
      add({
        code: 'open_segment',
        severity: 'info',
        message: `${rel(file)}: records of a command that is running or was interrupted (git-ignored until sealed; readers already see them); sealed into a committed segment when the next command that writes ends, or by --fix once its process is gone`,
        path: rel(file),
        fixable: true,
      });
    }
    const bytes = await fs.readFile(file);
    const parsed = parseSegment(name, bytes.toString('utf8'), rel(file), {tolerant: true});
    for (const error of parsed.errors) {
      add({
        code: 'invalid_line',
        severity: 'error',
        message: error.message,
        path: `${rel(file)}:${error.line}`,
        fixable: false,
      });
    }
    if (parsed.tornTailAt !== null) {
      const tail = await tornTail(root, log.scopeDir, file, bytes, parsed, nowMs);
      add(tail.finding);
      if (tail.repair) torn.push(tail.repair);
    }
    for (const [i, event] of parsed.events.entries()) {
      const text = canonicalJson(event);
      const where = `${rel(file)}:${i + 1}`;
      const previous = seen.get(event.event_id);
      if (!previous) seen.set(event.event_id, {text, where});
      else if (previous.text !== text) {
        add({
          code: 'duplicate_event',
          severity: 'error',
          message: `event ${event.event_id} appears with different contents at ${previous.where} and ${where}; the first one (by file name) is used`,
          path: where,
          fixable: false,
        });
      }
      events.push(event);
    }
  }
  for (const diagnostic of foldTrackerLog(events).diagnostics) {
    add({
      code: 'fold_diagnostic',
      severity: diagnostic.code === 'mapping_conflict' ? 'warning' : 'info',
      message: `${diagnostic.code}: ${diagnostic.message} (event ${diagnostic.event_id})`,
      fixable: false,
    });
  }

  // Checkpoints: per-clone and reconstructible, so a damaged one may simply go.
  const checkpointDir = path.join(log.scopeDir, 'state', 'checkpoints');
  for (const name of (await fs.readdir(checkpointDir).catch(() => [] as string[])).sort()) {
    const file = path.join(checkpointDir, name);
    if (isTempName(name)) {
      add(leftoverTempFile(rel(file)));
    } else if (name.endsWith('.json')) {
      const bytes = await readFileNoFollow(file).catch(() => null);
      try {
        JSON.parse(bytes?.toString('utf8') ?? '');
      } catch {
        add({
          code: 'damaged_checkpoint',
          severity: 'info',
          message: `${rel(file)}: damaged checkpoint; harmless: pulls resume from the log (--fix removes it)`,
          path: rel(file),
          fixable: true,
        });
      }
    }
  }
  if ((segments > 0 || findings.length > 0) && !(await ignoreRulesCurrent(root))) {
    add({
      code: 'ignore_rules',
      severity: 'warning',
      message: '.kittify/tracker/.gitignore is missing or out of date',
      fixable: true,
    });
  }

  if (options.fix) await repair(root, log, findings, torn, lockPath);
  const ok = findings.every((f) => f.fixed || !needsAction(f));
  return {scopeDir: log.scopeDir, segments, events: events.length, findings, ok};
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
