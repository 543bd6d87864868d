#!/usr/bin/env -S node --import tsx
'use strict';

// Development: the commands from src/ (through tsx), not the bundle package.json points at.
// CommonJS like bin/run.js (bin/package.json).
const {readFileSync} = require('node:fs');
const path = require('node:path');

const {execute} = require('@oclif/core');

const root = path.join(__dirname, '..');
const pjson = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
pjson.oclif.commands = {...pjson.oclif.commands, target: './src/commands.ts'};
pjson.oclif.hooks = {
  command_not_found: {...pjson.oclif.hooks.command_not_found, target: './src/commands.ts'},
};

// `help tracker sync pull` as bin/run.js takes it.
const argv = process.argv.slice(2);
const args = argv[0] === 'help' ? [...argv.slice(1), '--help'] : argv;

execute({args, development: true, loadOptions: {root, pjson}});
