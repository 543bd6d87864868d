'use strict';

// Mocha reporter: the usual Spec output, then one closing line that CI recognises:
//   "<passed> passed, <failed> failed" plus ", <skipped> skipped" when any test is pending.
// It must be the very last line printed, so it is written after Spec's epilogue.
const Mocha = require('mocha');

const {EVENT_RUN_END} = Mocha.Runner.constants;

class SummaryReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    // Spec registers its own EVENT_RUN_END listener (the epilogue) in its constructor,
    // so a listener added afterwards runs after it.
    super(runner, options);
    runner.once(EVENT_RUN_END, () => {
      const stats = runner.stats ?? {};
      const passed = stats.passes ?? 0;
      const failed = stats.failures ?? 0;
      const skipped = stats.pending ?? 0;
      let line = `${passed} passed, ${failed} failed`;
      if (skipped > 0) line += `, ${skipped} skipped`;
      process.stdout.write(`${line}\n`);
    });
  }
}

module.exports = SummaryReporter;
