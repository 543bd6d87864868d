import {TrackerError} from '../errors.js';
import {LONG_RUN_SECONDS, type RunBudget} from './run-budget.js';

/** "12 min", "1 h 40 min": a run's length as people say it. */
export function formatEta(seconds: number): string {
  if (seconds < 90) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const rest = minutes % 60;
  return `${Math.floor(minutes / 60)} h${rest === 0 ? '' : ` ${rest} min`}`;
}

/**
 * A push would take longer than `LONG_RUN_SECONDS` within the provider's limits. Nothing was
 * sent; the user confirms with `--yes` (the run can be stopped and resumed at any point).
 */
export class LongRunGuardError extends TrackerError {
  constructor(
    readonly budget: RunBudget,
    readonly provider: string,
  ) {
    super(
      `This sync would make about ${budget.requests} requests to ${provider} (${budget.writes} writes, ${budget.searches} searches) and take about ${formatEta(budget.eta_seconds)} within its rate limits, more than ${LONG_RUN_SECONDS / 60} minutes; nothing was sent to the tracker.`,
      {
        hint: 'See the plan and its budget with --dry-run, then run again with --yes to confirm; an interrupted run continues where it stopped when run again.',
      },
    );
  }
}
