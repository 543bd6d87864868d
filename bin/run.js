#!/usr/bin/env node
'use strict';

// CommonJS (bin/package.json): an ES module entry would make Node set up its ES module loader
// first, which is a noticeable part of the start. dist/cli/tracker.cjs loads the CLI bundle
// (npm run build): @oclif/core and the commands in one file, compiled with a code cache; oclif
// finds COMMANDS in that same module (package.json oclif.commands).
const path = require('node:path');

const {execute} = require('../dist/cli/tracker.cjs');

// `help tracker sync pull` as git and gh take it: the same as `tracker sync pull --help` (the
// standalone CLI has no help plugin; a host CLI answers `help` itself).
const argv = process.argv.slice(2);
const args = argv[0] === 'help' ? [...argv.slice(1), '--help'] : argv;

// The package root, not this file: oclif would take bin/package.json for the plugin's.
execute({args, dir: path.join(__dirname, '..')});
