import {expect} from 'chai';

import {runCliCrashTrials} from './cli-crash-trials.js';

// A short run of `npm run crash-trials`: the CLI SIGKILLed mid-command, then checked.
describe('crash trials of the CLI (short run; `npm run crash-trials` runs 200)', function () {
  this.timeout(180_000);

  // INV-4 (nothing acknowledged lost), INV-9 (nothing sent twice), under kills of the real CLI.
  it('kills pull, push, edit, comment and compact at random: nothing lost, nothing twice, all commands work', async () => {
    const report = await runCliCrashTrials({trials: Number(process.env.CLI_CRASH_TRIALS ?? 6), seed: 11});
    const problems = report.trials.flatMap((t) =>
      t.problems.map((p) => `trial ${t.trial} (${t.operation}): ${p}`),
    );
    expect(problems).to.deep.equal([]);
    expect(report.finalProblems).to.deep.equal([]);
    expect(
      report.trials.some((t) => !t.completed),
      'at least one command was killed mid-run',
    ).to.equal(true);
  });
});
