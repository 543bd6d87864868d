import {expect} from 'chai';

import {runPushCrashTrial} from '../../support/push-crash-trial.js';

// The longer run: `npx tsx scripts/push-crash-trials.ts [trials]`.
describe('sync push killed at random points (CLI child process, fake GitHub)', function () {
  this.timeout(180_000);

  it('loses no record, creates and sends nothing twice, and ends as an uninterrupted run', async () => {
    const reference = await runPushCrashTrial();
    expect(reference.duplicates).to.deep.equal([]);
    expect(reference.leftovers).to.deep.equal([]);
    // Kill points in the middle and late in the push (creates, comments, edits in flight).
    for (const fraction of [0.5, 0.85]) {
      const trial = await runPushCrashTrial(Math.round(reference.pushMs * fraction));
      const label = `killed after ${Math.round(reference.pushMs * fraction)} ms of ${reference.pushMs}`;
      expect(trial.duplicates, label).to.deep.equal([]);
      expect(trial.leftovers, label).to.deep.equal([]);
      expect(trial.fingerprint, label).to.equal(reference.fingerprint);
    }
  });
});
