import type {SyncRunResult} from '../../core/sync/sync-engine.js';
import {
  applyWorkPackageIntents,
  type ApplyWorkPackageOptions,
  type WorkPackageIntentResult,
} from './wp-intents.js';

/**
 * `sync push` with work packages, in one call:
 * 1. record the work packages' intents (status edits; drafts and their mappings with
 *    `createMissing`; links whose both ends already exist);
 * 2. run the engine's push (`push`), which creates the drafts and sends the edits;
 * 3. if some dependency links or parents waited for issues created in step 2, record them and
 *    push once more.
 * With `dryRun` nothing is recorded and the engine runs once (as a dry run, by the caller's
 * `push`), so the report shows the intents next to the engine's plan.
 */
export interface WorkPackagePushResult {
  readonly intents: WorkPackageIntentResult;
  /** Intents of the second pass (links to the issues just created), when one ran. */
  readonly followUp: WorkPackageIntentResult | null;
  /** One engine result per push run (1 or 2). */
  readonly results: readonly SyncRunResult[];
}

export async function runWorkPackagePush(
  options: ApplyWorkPackageOptions,
  push: () => Promise<SyncRunResult>,
): Promise<WorkPackagePushResult> {
  const intents = await applyWorkPackageIntents(options);
  const first = await push();
  const results = [first];
  let followUp: WorkPackageIntentResult | null = null;
  const waiting = intents.deferred_links + intents.deferred_parents;
  if (!options.dryRun && waiting > 0 && first.stats.pushed_created > 0 && first.ok) {
    // No drafts in this pass: every work package that needed one got it in the first.
    followUp = await applyWorkPackageIntents({...options, createMissing: false});
    const {counts} = followUp;
    if (counts.links + counts.unlinks + counts.parents + counts.edits > 0) results.push(await push());
  }
  return {intents, followUp, results};
}
