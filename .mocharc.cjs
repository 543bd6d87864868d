// MOCHA_SPEC narrows a run to some files (comma-separated globs); mocha itself would merge a
// command-line spec with this one and run everything.
module.exports = {
  'node-option': ['import=tsx/esm', 'enable-source-maps'],
  spec: process.env.MOCHA_SPEC ? process.env.MOCHA_SPEC.split(',') : ['test/**/*.test.ts'],
  reporter: 'test/support/summary-reporter.cjs',
  timeout: 20000,
  'forbid-only': true,
  exit: true,
};
