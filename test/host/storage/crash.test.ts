import {expect} from 'chai';

import {runCrashTrial} from './crash-trial.js';

const TRIALS = Number(process.env.CRASH_TRIALS ?? 8);

describe(`crash trials (${TRIALS} SIGKILLs mid-write; 100+ in scripts/crash-trials.ts)`, function () {
  this.timeout(30_000 + TRIALS * 15_000);

  // INV-4: no acknowledged event is lost by a crash; INV-6: a checkpoint is never ahead of the log.
  it('always reopens, loses no acknowledged event, and never has a checkpoint ahead of the data', async () => {
    let acked = 0;
    for (let trial = 0; trial < TRIALS; trial++) {
      const result = await runCrashTrial({maxKillMs: 250, writeAfter: trial === 0});
      expect(result.problems, `trial ${trial} (killed after ${result.killedAfterMs} ms)`).to.deep.equal([]);
      acked += result.acked;
    }
    // The trials must actually have killed writers mid-stream, not before they wrote anything.
    expect(acked).to.be.greaterThan(0);
  });
});
