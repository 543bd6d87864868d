// MOCHA_SPEC narrows a run to some files (comma-separated globs); mocha itself would merge a
// command-line spec with this one and run everything.
// The oclif CLI (and any oclif program a test starts) checks npm for a newer version of itself and
// prints a warning in the middle of the test output: nothing a test run should ask the network.
process.env.OCLIF_SKIP_NEW_VERSION_CHECK = 'true';
// Pacing spaces GitHub writes a second apart, as GitHub asks; against the loopback fakes that only
// makes command tests slow (a push of 35 creates takes 35 s, past mocha's 20 s timeout). Tests of
// pacing pass their budgets explicitly (runtime `pacing`, or their own SPEC_KITTY_TRACKER_PACING;
// paced-push-cli.test.ts runs the built CLI with GitHub's own), so the default here is off.
// Off for speed only: pacing once seemed to make mocha exit quietly, with no summary. That was an
// in-process command outliving its timed-out test while holding @oclif/test's output capture;
// test/commands/tracker/in-process-capture.ts now waits for such a command and gives the output back.
process.env.SPEC_KITTY_TRACKER_PACING ??= 'off';
// The first `show` in a clone without a read index would start the index build in a detached
// process: no test may leave a process behind, so tests build inline unless they say otherwise.
process.env.SPEC_KITTY_TRACKER_INDEX_BUILD ??= 'inline';

module.exports = {
  'node-option': ['import=tsx/esm', 'enable-source-maps'],
  spec: process.env.MOCHA_SPEC ? process.env.MOCHA_SPEC.split(',') : ['test/**/*.test.ts'],
  reporter: 'test/support/summary-reporter.cjs',
  timeout: 20000,
  'forbid-only': true,
  exit: true,
};
