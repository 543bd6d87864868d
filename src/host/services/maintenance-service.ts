import {readFileSync, readdirSync, statSync} from 'node:fs';
import {join, relative} from 'node:path';

import {UsageError} from '../shared/usage-error.js';
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

/** Files under `.kittify/` that are text we write (config, logs, checkpoints, ignore rules). */
function kittifyTextFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir, {recursive: true, encoding: 'utf8'})) {
    const path = join(dir, name);
    try {
      const stat = statSync(path);
      if (
        stat.isFile() &&
        stat.size < 64 * 1024 * 1024 &&
        /\.(ya?ml|jsonl?|md|gitignore)$|(^|\/)\.gitignore$/.test(name)
      )
        out.push(path);
    } catch {
      // vanished while scanning
    }
  }
  return out.sort();
}

/**
 * Secrets under `.kittify/` (which is committed): this machine's credential values, and
 * provider token prefixes. Issue bodies may carry long random strings legitimately, so the
 * generic "long base64" heuristic is not used here.
 */
function secretFindings(root: string, kittifyDir: string, known: readonly string[]): MaintenanceFinding[] {
  const findings: MaintenanceFinding[] = [];
  for (const file of kittifyTextFiles(kittifyDir)) {
    const hits = findSecrets(readFileSync(file, 'utf8'), {knownSecrets: known, heuristics: 'prefixed'});
    if (hits.length === 0) continue;
    const path = relative(root, file);
    findings.push({
      code: 'secret',
      severity: 'error',
      message: `${path}:${hits[0].line} contains ${hits[0].what}; files under .kittify/ are committed. Remove it and rotate the credential.`,
      path,
      fixable: false,
      fixed: false,
    });
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
    ok: report.ok && secrets.length === 0,
    fixed: options.fix ?? false,
  };
}

export interface CompactResult {
  readonly scope_dir: string;
  readonly segments_before: number;
  readonly events_before: number;
  readonly events_after: number;
  readonly snapshot: string | null;
  readonly fell_back: string[];
}

export async function runCompact(
  environment: ServiceEnvironment,
  options: {before?: string} = {},
): Promise<CompactResult> {
  if (options.before !== undefined && Number.isNaN(Date.parse(options.before))) {
    throw new UsageError(`Invalid --before '${options.before}': not a timestamp.`, {
      hint: 'Pass an ISO-8601 instant, e.g. 2026-01-01T00:00:00Z.',
    });
  }
  const context = await loadBoundProject(environment);
  const {openTrackerStorage} = await import('../storage/tracker-storage.js');
  const {compactScope} = await import('../storage/compaction.js');
  const storage = openTrackerStorage({
    root: context.location.root,
    provider: context.binding.provider,
    serverUrl: context.binding.serverUrl ?? '',
    workspace: context.binding.workspace,
  });
  const before = options.before === undefined ? undefined : new Date(options.before).toISOString();
  const report = await compactScope(storage.log, {before, now: new Date()});
  return {
    scope_dir: storage.scopeDir,
    segments_before: report.segmentsBefore,
    events_before: report.eventsBefore,
    events_after: report.eventsAfter,
    snapshot: report.snapshot,
    fell_back: report.fellBack,
  };
}
