import {Flags} from '@oclif/core';

import type {SyncFailure, SyncOperation} from '../../core/sync/sync-result.js';
import {formatEta} from '../../core/sync/long-run-guard.js';
import {LONG_RUN_SECONDS} from '../../core/sync/run-budget.js';
import type {SyncIntent, SyncMode, SyncReport} from '../services/sync-service.js';
import {TrackerCommand, jsonFlag} from './base-command.js';
import {redactSecrets} from '../shared/secret-mask.js';
import {inertText} from '../shared/terminal-text.js';
import {pushNotes} from './push-notes.js';

/** `--limit`, described as it applies to the command (pull pages, pushed changes). */
export const limitFlag = (description: string) => Flags.integer({min: 1, max: 10_000, description});

/**
 * Flags of the sync commands, each on the commands it applies to (help lists only those): every
 * sync command takes `syncFlags`; `--full` only commands that pull, `--yes` only those that push.
 */
export const syncFlags = {
  limit: limitFlag('pull page size / at most this many local changes pushed'),
  'dry-run': Flags.boolean({description: 'compute and print the plan; write nothing, locally or remotely'}),
  ...jsonFlag,
};

/** For commands that push. */
export const pushFlags = {
  yes: Flags.boolean({char: 'y', description: 'confirm a push above the bulk-change threshold'}),
};

/** For commands that pull. */
export const pullFlags = {
  full: Flags.boolean({
    description: 'list everything again (ignoring the checkpoint) and reconcile deletions',
  }),
};

const TITLES: Record<SyncMode, (provider: string) => string> = {
  pull: (p) => `Pulled from ${p}`,
  push: (p) => `Pushed to ${p}`,
  run: (p) => `Sync run completed (${p})`,
};

/** The title of a run that failed: never worded like a success. */
const FAILED_TITLES: Record<SyncMode, (provider: string) => string> = {
  pull: (p) => `Pull failed (${p})`,
  push: (p) => `Push failed (${p})`,
  run: (p) => `Sync run failed (${p})`,
};

/** An intent that can say what it did, for the command's output. */
export interface DescribedIntent extends SyncIntent {
  describe?(): {key: string; json: unknown; text: string[]; warnings: string[]} | null;
}

/** The shared body of the three sync commands: run, show progress, print the counts, set the exit code. */
export abstract class SyncCommand extends TrackerCommand {
  protected async runSyncMode(
    mode: SyncMode,
    flags: {limit?: number; 'dry-run'?: boolean; yes?: boolean; full?: boolean; json?: boolean},
    intents: readonly DescribedIntent[] = [],
  ): Promise<void> {
    const {runSync} = await import('../services/sync-service.js');
    const progress = this.progress();
    const {installInterruptHandler} = await import('./interrupt.js');
    const uninstall = installInterruptHandler({
      mode,
      clearProgress: () => progress.finish(),
      write: (text) => process.stderr.write(text),
    });
    let report: SyncReport;
    try {
      report = await runSync(this.runContext(), {
        mode,
        limit: flags.limit,
        dryRun: flags['dry-run'],
        yes: flags.yes,
        full: flags.full,
        onEvent: progress.listener,
        intents,
      });
    } finally {
      uninstall();
      progress.finish();
    }
    // Intents (e.g. the work-package step of push) add a key to the JSON and lines before the counts.
    const extras = intents.map((intent) => intent.describe?.() ?? null).filter((e) => e !== null);
    this.showWarnings([...report.warnings, ...extras.flatMap((e) => e.warnings)]);
    const shown = {...report, plan: capPlanLists(report.plan)};
    const json =
      extras.length === 0 ? shown : {...shown, ...Object.fromEntries(extras.map((e) => [e.key, e.json]))};
    await this.emit({json, text: [...extras.flatMap((e) => e.text), ...syncText(report)]});
    // Errors go to stderr in both output modes (the JSON report also carries them).
    for (const line of failureLines(report)) process.stderr.write(`${inertText(redactSecrets(line))}\n`);
    if (!report.ok) this.exit(1);
  }
}

/** Longest list of the plan printed with `--json`; the counts are in `summary` either way. */
export const PLAN_LIST_LIMIT = 1_000;

/**
 * The plan with every list cut to its first `PLAN_LIST_LIMIT` items and `<list>_omitted: N`
 * beside a cut list. A first pull of 50,000 issues otherwise printed 50,000 identities that
 * nobody reads (and spent its time and memory formatting them).
 */
export function capPlanLists<T extends object>(plan: T): T {
  const cap = (section: object): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(section)) {
      if (Array.isArray(value) && value.length > PLAN_LIST_LIMIT) {
        out[key] = value.slice(0, PLAN_LIST_LIMIT);
        out[`${key}_omitted`] = value.length - PLAN_LIST_LIMIT;
      } else {
        out[key] = value;
      }
    }
    return out;
  };
  const capped = cap(plan);
  const pull = (plan as {pull?: unknown}).pull;
  if (typeof pull === 'object' && pull !== null) capped.pull = cap(pull);
  return capped as T;
}

export function syncText(r: SyncReport): string[] {
  const s = r.summary;
  const title = (r.ok ? TITLES : FAILED_TITLES)[r.mode](r.provider);
  const lines = [title + (r.dry_run ? ' (dry run: nothing written)' : '')];
  /** A count of this run's direction: the pull's, the push's, or both for a full sync. */
  const ofMode = (pulled: number, pushed: number): number =>
    r.mode === 'push' ? pushed : r.mode === 'pull' ? pulled : pulled + pushed;
  const created = ofMode(r.stats.pulled_created, r.stats.pushed_created);
  const updated = ofMode(r.stats.pulled_updated, r.stats.pushed_updated);
  if (r.dry_run) {
    if (r.mode !== 'push')
      lines.push(`- would pull: ${s.pull_creates} new, ${s.pull_updates} updated, ${s.pull_deletes} deleted`);
    if (r.mode !== 'pull')
      lines.push(`- would push: ${s.creates} created, ${s.updates} updated, ${s.comments} comments`);
    if (r.budget) lines.push(budgetLine(r));
  } else {
    lines.push(`- created: ${created}`, `- updated: ${updated}`);
    if (r.mode !== 'push' && s.pull_deletes > 0) {
      lines.push(`- deleted: ${s.pull_deletes} (no longer on the tracker; marked deleted in the cache)`);
    }
  }
  lines.push(
    `- skipped: ${r.stats.skipped}`,
    `- conflicts: ${r.conflicts.length}`,
    `- failures: ${r.failures.length}`,
  );
  for (const c of r.conflicts) {
    lines.push(
      `  conflict ${c.identity} ${c.field_name}: ${c.manual_review_required ? 'needs manual review' : `${c.winner} value kept (${c.strategy})`}`,
    );
  }
  lines.push(...pushNotes(r));
  return lines;
}

/** What the engine was doing when a failure happened, in words. */
const DOING: Record<SyncOperation, string> = {
  list: 'listing issues',
  get: 'reading',
  create: 'creating',
  find_created: 'looking for the just-created issue',
  update: 'updating',
  transition: 'changing the status of',
  link: 'linking',
  comment: 'commenting on',
  reconcile_deletes: 'checking which issues were deleted',
};

/**
 * A failure for people: `Failed <doing what> [issue N]: <reason>`. The JSON report keeps the
 * `operation[identity]: message` strings of spec-kitty's Python tracker in `errors` (scripts
 * parse them); those internal names
 * (`list[listing]`) mean nothing to someone reading a terminal.
 */
export function describeFailure(failure: SyncFailure): string {
  const identity = failure.identity;
  // An identity is `system:workspace:id`; the id is what the user knows the issue by.
  const issue = identity === null ? '' : ` issue ${identity.slice(identity.lastIndexOf(':') + 1)}`;
  const doing = DOING[failure.operation] ?? failure.operation;
  const what = failure.operation === 'list' || failure.operation === 'reconcile_deletes' ? '' : issue;
  return `Failed ${doing}${what}: ${failure.message}`;
}

/** What the real run will cost on the tracker, from a dry run, and whether it will ask first. */
function budgetLine(r: SyncReport): string {
  const b = r.budget!;
  const long = r.mode !== 'pull' && b.eta_seconds > LONG_RUN_SECONDS;
  return (
    `- budget: ${b.requests} requests (${b.writes} writes, ${b.searches} searches), about ${formatEta(b.eta_seconds)} within ${r.provider}'s rate limits` +
    (long ? `; over ${LONG_RUN_SECONDS / 60} minutes, so the run asks for --yes` : '')
  );
}

/** The failures of a run, for stderr: what failed and why in words, then what to do (once). */
export function failureLines(r: SyncReport): string[] {
  const lines: string[] = [];
  for (const f of r.failures) {
    const line = describeFailure(f);
    lines.push(line);
    // Connectors often fold their advice into the message already; don't say it twice.
    if (f.hint && !line.includes(f.hint)) lines.push(`  ${f.hint}`);
  }
  return lines;
}
