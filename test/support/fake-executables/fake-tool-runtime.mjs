// Shared plumbing of the fake local tracker executables (fake bd, fake fp) that tests install
// in a temp dir. Plain JavaScript run by `node` directly (no tsx), so each call starts fast.
import {appendFileSync, existsSync, readFileSync, writeFileSync} from 'node:fs';

/** Reads the tool's JSON state file (issues, counters, scripted faults). */
export function loadState(path, initial) {
  if (!existsSync(path)) return structuredClone(initial);
  return JSON.parse(readFileSync(path, 'utf8'));
}

export function saveState(path, state) {
  writeFileSync(path, JSON.stringify(state, null, 2));
}

/** Appends one call (argv[0] = the command as spawned, then the arguments) as a JSON line. */
export function recordCall(logPath, argv) {
  appendFileSync(logPath, JSON.stringify(argv) + '\n');
}

/** Blocks for `ms` (the fakes are synchronous scripts). */
export function sleepSync(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Applies a scripted fault for `operation` if the state has one left: `{exitCode, stdout,
 * stderr, sleepMs, times}`. Returns true when the fault ended the call.
 */
export function applyFault(state, operation, statePath) {
  const fault = state.faults?.[operation];
  if (!fault) return false;
  if (fault.times !== undefined) {
    fault.times -= 1;
    if (fault.times <= 0) delete state.faults[operation];
    saveState(statePath, state);
  }
  if (fault.sleepMs) sleepSync(fault.sleepMs);
  if (fault.stdout !== undefined) process.stdout.write(fault.stdout);
  if (fault.stderr !== undefined) process.stderr.write(fault.stderr);
  if (fault.exitCode === undefined && fault.stdout === undefined && fault.stderr === undefined) return false;
  process.exitCode = fault.exitCode ?? 0;
  return true;
}

/**
 * Splits argv into positionals and flags. `stringFlags` take a value (`--f v` or `--f=v`) and
 * repeat into arrays; `boolFlags` take none. An unknown flag fails like cobra does.
 */
export function parseArgs(args, stringFlags, boolFlags) {
  const positionals = [];
  const flags = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    if (boolFlags.includes(name)) {
      flags[name] = true;
      continue;
    }
    if (!stringFlags.includes(name)) throw new ToolError(`Error: unknown flag: --${name}`);
    const value = eq === -1 ? args[++i] : arg.slice(eq + 1);
    if (value === undefined) throw new ToolError(`Error: flag needs an argument: --${name}`);
    (flags[name] ??= []).push(value);
  }
  return {positionals, flags};
}

/** A failure the fake reports like the real tool: message on stderr, exit code 1. */
export class ToolError extends Error {}

/** Runs `body`, turning a ToolError into stderr + exit 1. */
export function runTool(body) {
  try {
    body();
  } catch (error) {
    if (!(error instanceof ToolError)) throw error;
    process.stderr.write(error.message + '\n');
    process.exitCode = 1;
  }
}

/** Deterministic tool time: 2026-01-01T00:00:00Z plus `tick` seconds, in RFC 3339 with nanoseconds. */
export function toolTime(tick) {
  return new Date(Date.UTC(2026, 0, 1) + tick * 1000).toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
}
