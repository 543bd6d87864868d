import {lstatSync, readFileSync, readdirSync} from 'node:fs';
import {join, relative, sep} from 'node:path';

import {knownCredentials} from '../config/credentials.js';
import {findSecrets} from '../config/secret-guard.js';
import {loadBoundProject, type ServiceEnvironment} from './service-context.js';
import {openBoundStorage} from './storage-gateway.js';

export interface MaintenanceFinding {
  readonly code: string;
  readonly severity: 'error' | 'warning' | 'info';
  readonly message: string;
  readonly path?: string;
  readonly fixable: boolean;
  readonly fixed: boolean;
  /** The invariant of docs/ARCHITECTURE.md this finding reports broken (`INV-7`), if any. */
  readonly invariant?: string;
}

export interface DoctorResult {
  readonly scope_dir: string;
  readonly segments: number;
  readonly events: number;
  readonly findings: MaintenanceFinding[];
  /** No error left (after fixing, when fixing). */
  readonly ok: boolean;
  readonly fixed: boolean;
}

/** Files larger than this are reported as not scanned rather than read whole. */
const MAX_SCANNED_BYTES = 64 * 1024 * 1024;

/** A derived copy of the segments (the read cache): scanning the segments covers it. */
const DERIVED_CACHE = /^tracker\/[^/]+\/cache\//;

/** A tracker log segment: what it holds came from a tracker, or from local content refused if it had a token. */
const SEGMENT = /^tracker\/[^/]+\/events\/[^/]+$/;

/**
 * Every file under `.kittify/`, whatever its name or extension (links are not followed), but the
 * read cache, which only repeats the segments. Names use `/`, relative to `.kittify/`.
 */
function kittifyFiles(dir: string): {name: string; path: string; size: number}[] {
  const out: {name: string; path: string; size: number}[] = [];
  for (const entry of readdirSync(dir, {recursive: true, encoding: 'utf8'})) {
    const name = entry.split(sep).join('/');
    if (DERIVED_CACHE.test(name)) continue;
    const path = join(dir, entry);
    try {
      const stat = lstatSync(path);
      if (stat.isFile()) out.push({name, path, size: stat.size});
    } catch {
      // vanished while scanning
    }
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** A secret under `.kittify/` breaks INV-7 (no secret lands in `.kittify/`): the finding names it. */
function secretFinding(severity: 'error' | 'warning', message: string, path: string): MaintenanceFinding {
  return {
    code: 'secret',
    severity,
    message: `${message} [INV-7]`,
    path,
    fixable: false,
    fixed: false,
    invariant: 'INV-7',
  };
}

/**
 * Secrets under `.kittify/` (which is committed): this machine's credential values anywhere are
 * an error (remove the file's value and rotate the credential); a provider token shape is an
 * error in our own files (config) but, in a log segment, tracker content: someone's token quoted
 * in an issue, stored before pulls masked such strings. The segment is immutable and may already
 * be pushed, so that is a warning naming it, not a failure that no fix could clear. Issue bodies
 * may carry long random strings legitimately, so the generic "long base64" check is not used.
 */
function secretFindings(root: string, kittifyDir: string, known: readonly string[]): MaintenanceFinding[] {
  const findings: MaintenanceFinding[] = [];
  for (const file of kittifyFiles(kittifyDir)) {
    const path = relative(root, file.path).split(sep).join('/');
    if (file.size > MAX_SCANNED_BYTES) {
      findings.push({
        code: 'not_scanned',
        severity: 'warning',
        message: `${path}: not scanned for secrets (larger than 64 MB); check it yourself before committing`,
        path,
        fixable: false,
        fixed: false,
      });
      continue;
    }
    const text = readFileSync(file.path, 'latin1');
    const own = findSecrets(text, {knownSecrets: known, heuristics: 'none'});
    if (own.length > 0) {
      findings.push(
        secretFinding(
          'error',
          `${path}:${own[0].line} contains ${own[0].what}; files under .kittify/ are committed. Remove it and rotate the credential.`,
          path,
        ),
      );
      continue;
    }
    const shapes = findSecrets(text, {heuristics: 'prefixed'}).filter(
      (f) => f.what !== 'a stored credential value',
    );
    if (shapes.length === 0) continue;
    findings.push(
      SEGMENT.test(file.name)
        ? secretFinding(
            'warning',
            `${path}:${shapes[0].line} holds ${shapes[0].what} in content pulled from the tracker (someone's token quoted in an issue, not this machine's credential). ` +
              "The segment is committed and immutable; new pulls mask such strings. Tell the token's owner to revoke it.",
            path,
          )
        : secretFinding(
            'error',
            `${path}:${shapes[0].line} contains ${shapes[0].what}; files under .kittify/ are committed. Remove it and rotate the credential.`,
            path,
          ),
    );
  }
  return findings;
}

export async function runDoctor(
  environment: ServiceEnvironment,
  options: {fix?: boolean} = {},
): Promise<DoctorResult> {
  const context = await loadBoundProject(environment);
  const storage = await openBoundStorage(context);
  const {doctorScope} = await import('../storage/doctor.js');
  const report = await doctorScope({
    root: context.location.root,
    scopeDir: storage.scopeDir,
    fix: options.fix ?? false,
  });
  // Every provider's credential values on this machine (a project may have been bound to
  // another provider before), plus the providers' token prefixes.
  const known = knownCredentials(environment.env).map((credential) => credential.value);
  const secrets = secretFindings(context.location.root, context.location.kittifyDir, known);
  const findings: MaintenanceFinding[] = [
    ...report.findings.map((f) => ({...f, fixed: f.fixed})),
    ...secrets,
  ];
  return {
    scope_dir: storage.scopeDir,
    segments: report.segments,
    events: report.events,
    findings,
    ok: report.ok && secrets.every((finding) => finding.severity !== 'error'),
    fixed: options.fix ?? false,
  };
}

export interface CompactResult {
  readonly scope_dir: string;
  readonly segments_before: number;
  /** Uncommitted segments merged into `segment`. */
  readonly squashed: number;
  /** Committed segments, never deleted. */
  readonly kept_committed: number;
  readonly events: number;
  readonly segment: string | null;
}

export async function runCompact(environment: ServiceEnvironment): Promise<CompactResult> {
  const context = await loadBoundProject(environment);
  const {openTrackerStorage} = await import('../storage/tracker-storage.js');
  const {compactScope} = await import('../storage/compaction.js');
  const {committedSegmentNames} = await import('../storage/committed-segments.js');
  const storage = openTrackerStorage({
    root: context.location.root,
    provider: context.binding.provider,
    serverUrl: context.binding.serverUrl ?? '',
    workspace: context.binding.workspace,
  });
  const committed = await committedSegmentNames(context.location.root, storage.log.eventsDir);
  const report = await compactScope(storage.log, {committed});
  return {
    scope_dir: storage.scopeDir,
    segments_before: report.segmentsBefore,
    squashed: report.squashed,
    kept_committed: report.keptCommitted,
    events: report.events,
    segment: report.segment,
  };
}
