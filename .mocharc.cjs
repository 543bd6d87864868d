// MOCHA_SPEC narrows a run to some files (comma-separated globs); mocha itself would merge a
// command-line spec with this one and run everything.
// The oclif CLI (and any oclif program a test starts) checks npm for a newer version of itself and
// prints a warning in the middle of the test output: nothing a test run should ask the network.
process.env.OCLIF_SKIP_NEW_VERSION_CHECK = 'true';
// Pacing spaces GitHub writes a second apart, as GitHub asks; against the loopback fakes that only
// makes command tests slow. Tests of pacing pass their budgets explicitly (runtime `pacing`, or
// their own SPEC_KITTY_TRACKER_PACING), so the default here is off.
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
