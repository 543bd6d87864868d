import {ConnectorRequestError, TrackerError, ValidationError, isRetryableFailure} from '../errors.js';
import type {FailureClass} from '../model/enums.js';
import type {SyncCheckpoint} from '../protocols/checkpoint-store.js';
import type {SyncPlan} from './push-plan.js';

/** The counters of spec-kitty's Python tracker, same names, so scripts reading `--json` keep working. */
export interface SyncStats {
  pulled_created: number;
  pulled_updated: number;
  pushed_created: number;
  pushed_updated: number;
  skipped: number;
}

export const emptyStats = (): SyncStats => ({
  pulled_created: 0,
  pulled_updated: 0,
  pushed_created: 0,
  pushed_updated: 0,
  skipped: 0,
});

/** The engine's own operations (connector calls plus the store step that follows). */
export type SyncOperation =
  | 'list'
  | 'get'
  | 'create'
  | 'find_created'
  | 'update'
  | 'transition'
  | 'link'
  | 'comment'
  | 'reconcile_deletes';

/** One thing that failed, typed so commands can print it and decide the exit code. */
export interface SyncFailure {
  /** The issue concerned (`system:workspace:id`), or null for a listing. */
  readonly identity: string | null;
  readonly operation: SyncOperation;
  readonly failure_class: FailureClass;
  readonly message: string;
  readonly retryable: boolean;
  readonly status_code: number | null;
  readonly hint: string | null;
}

/** A conflict found by this run, with the issue it belongs to. */
import type {ReportedConflict} from './push-plan.js';

export type {ReportedConflict};

/** Connector calls made, by connector method name (`listIssues`, `getIssue`, ...). */
export type RequestCounts = Record<string, number>;

export interface SyncResult {
  readonly provider: string;
  readonly workspace: string;
  readonly dry_run: boolean;
  readonly stats: SyncStats;
  readonly conflicts: ReportedConflict[];
  readonly failures: SyncFailure[];
  /** `failures` as spec-kitty's Python tracker words them (scripts parse them): `<operation>[<identity>]: <message>`. */
  readonly errors: string[];
  readonly requests: RequestCounts;
  /** What was (or, for a dry run, would be) done. */
  readonly plan: SyncPlan;
  /** The pull checkpoint after the run (null when no pull ran). */
  readonly checkpoint: SyncCheckpoint | null;
  /** True when every listing and write the run attempted succeeded. */
  readonly ok: boolean;
}

/** Failure classes after which continuing only repeats the same refusal. */
const FATAL_CLASSES: readonly FailureClass[] = ['authentication', 'permission', 'rate_limit'];

export function isFatalFailure(failure: SyncFailure): boolean {
  return FATAL_CLASSES.includes(failure.failure_class);
}

/**
 * Turns a caught error into a typed failure. Only the tracker's own errors become failures;
 * anything else (a bug, a crash) is not something a sync result can describe, so it returns
 * null and the caller rethrows.
 */
export function toSyncFailure(
  error: unknown,
  operation: SyncOperation,
  identity: string | null,
): SyncFailure | null {
  if (error instanceof ConnectorRequestError) {
    return {
      identity,
      operation,
      failure_class: error.failureClass,
      message: error.message,
      retryable: error.retryable,
      status_code: error.statusCode,
      hint: error.hint ?? null,
    };
  }
  if (error instanceof TrackerError) {
    const failureClass: FailureClass = error instanceof ValidationError ? 'validation' : 'non_retryable';
    return {
      identity,
      operation,
      failure_class: failureClass,
      message: error.message,
      retryable: isRetryableFailure(failureClass),
      status_code: null,
      hint: error.hint ?? null,
    };
  }
  return null;
}

export function failureToString(failure: SyncFailure): string {
  return `${failure.operation}[${failure.identity ?? 'listing'}]: ${failure.message}`;
}

export function addStats(a: SyncStats, b: SyncStats): SyncStats {
  return {
    pulled_created: a.pulled_created + b.pulled_created,
    pulled_updated: a.pulled_updated + b.pulled_updated,
    pushed_created: a.pushed_created + b.pushed_created,
    pushed_updated: a.pushed_updated + b.pushed_updated,
    skipped: a.skipped + b.skipped,
  };
}
