import {TrackerError} from '../errors.js';

/** Above these counts a sync stops before writing unless confirmed (`--yes`). */
export interface BulkGuardThresholds {
  readonly maxCreates: number;
  readonly maxUpdates: number;
}

export const DEFAULT_BULK_GUARD: BulkGuardThresholds = Object.freeze({maxCreates: 20, maxUpdates: 40});

/** The would-be writes the guard judged (an upper bound, counted before any remote read). */
export interface BulkChangeSummary {
  readonly creates: number;
  readonly updates: number;
  readonly create_identities: string[];
  readonly update_identities: string[];
}

export function exceedsBulkGuard(summary: BulkChangeSummary, thresholds: BulkGuardThresholds): boolean {
  return summary.creates > thresholds.maxCreates || summary.updates > thresholds.maxUpdates;
}

/**
 * A sync would change more than the configured limits. Nothing was written; commands print
 * the summary and exit 1 (or ask, when interactive).
 */
export class BulkChangeGuardError extends TrackerError {
  constructor(
    readonly summary: BulkChangeSummary,
    readonly thresholds: BulkGuardThresholds,
  ) {
    super(
      `This sync would create ${summary.creates} and update ${summary.updates} remote issue(s), more than the limit ` +
        `(${thresholds.maxCreates} creates, ${thresholds.maxUpdates} updates); nothing was sent to the tracker.`,
      {
        hint: 'Review the plan by running the same command with --dry-run, then run it again with --yes to confirm (the limit is tracker.bulk_threshold in .kittify/config.yaml).',
      },
    );
  }
}
