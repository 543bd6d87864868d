import {statSync} from 'node:fs';
import {join, parse, sep} from 'node:path';

import {TrackerError} from '../../core/errors.js';
import {closestMatch} from '../shared/did-you-mean.js';
import {redactSecrets} from '../shared/secret-mask.js';
import {UsageError} from '../shared/usage-error.js';

/** What the error funnel prints and the exit code it uses. */
export interface ErrorReport {
  /** One or two lines: what went wrong, then what to do. */
  readonly lines: string[];
  readonly exitCode: number;
}

interface OclifLikeError {
  message?: string;
  oclif?: {exit?: number | false};
  code?: string;
  stack?: string;
  /** oclif's "Nonexistent flag" parse error: the flags as typed. */
  flags?: unknown;
  /** Node's file system errors: the file or folder concerned and the call that failed. */
  path?: unknown;
  syscall?: unknown;
}

/**
 * Turns any error into what the user sees. Our errors (`TrackerError`) print their message and
 * hint; oclif's own errors (parse errors, exit 2) keep their exit code; anything unexpected says
 * so in one line and how to get details, except file system errors that name their path (a
 * folder where a file belongs, a file where a folder belongs, no permission), which say what to
 * do. No stack trace unless `debug` (the `DEBUG` variable).
 */
export function reportError(
  error: unknown,
  options: {debug: boolean; knownFlags?: readonly string[]},
): ErrorReport {
  const err = (error ?? {}) as OclifLikeError;
  const lines: string[] = [];
  let exitCode = 1;
  const fileSystem =
    error instanceof Error && !(error instanceof TrackerError) ? fileSystemReport(err) : null;
  if (error instanceof TrackerError) {
    lines.push(oneLine(error.message));
    if (error.hint) lines.push(oneLine(error.hint));
    if (error instanceof UsageError) exitCode = 2;
  } else if (err.oclif && typeof err.oclif.exit === 'number') {
    // oclif CLIError: parse errors (exit 2) and this.error() calls.
    exitCode = err.oclif.exit;
    // oclif wraps parse errors in "The following error occurred:" / "See more help with --help".
    const meaningful = stripOclifPrefix(err.message ?? 'error')
      .split('\n')
      .map((line) => line.trim())
      .filter(
        (line) =>
          line !== '' && !/^The following errors? occurred:$/.test(line) && !/^See more help with/.test(line),
      );
    const unknown = unknownFlagReport(err.flags, options.knownFlags);
    if (unknown) lines.push(...unknown);
    else lines.push((exitCode === 2 ? humaniseParseError(meaningful) : meaningful.join('; ')) || 'error');
    if (exitCode === 2 && !unknown) lines.push('See --help for the flags this command takes.');
  } else if (fileSystem) {
    lines.push(...fileSystem);
  } else if (error instanceof Error) {
    lines.push(`Unexpected error: ${oneLine(error.message || error.name)}`);
    if (!options.debug) lines.push('Run again with DEBUG=* to see the details, and please report it.');
  } else {
    lines.push(`Unexpected error: ${String(error)}`);
  }
  if (options.debug && err.stack) lines.push(err.stack);
  return {lines: lines.map((line) => redactSecrets(line)), exitCode};
}

/**
 * oclif's parse errors in the same voice as ours: `Invalid --limit: expected ...` rather than
 * `Parsing --limit; Expected ...`, flags named with their dashes, arguments with their meaning.
 */
export function humaniseParseError(lines: readonly string[]): string {
  const [first = '', ...rest] = lines;
  const parsing = /^Parsing (--[\w-]+)$/.exec(first);
  if (parsing && rest.length > 0) {
    const reason = rest.join('; ');
    return `Invalid ${parsing[1]}: ${reason.charAt(0).toLowerCase()}${reason.slice(1)}`;
  }
  const missingFlag = /^Missing required flags? ([\w-]+)$/.exec(first);
  if (missingFlag && rest.length === 0) return `Missing required flag --${missingFlag[1]}`;
  const missingArg = /^Missing (\d+) required args?:$/.exec(first);
  if (missingArg && rest.length > 0) {
    const args = rest.map((line) => {
      const [name, ...description] = line.split(/\s{2,}/);
      return description.length > 0 ? `${name} (${description.join(' ')})` : name;
    });
    return `Missing required argument${args.length === 1 ? '' : 's'}: ${args.join(', ')}`;
  }
  return lines.join('; ');
}

/**
 * Flags the command does not take, each with the closest one it does take (`--ful`: did you mean
 * `--full`?), like git. Null when the error is not about unknown flags.
 */
function unknownFlagReport(typed: unknown, known: readonly string[] | undefined): string[] | null {
  if (!Array.isArray(typed) || typed.length === 0 || known === undefined) return null;
  const names = typed.map((flag) => String(flag).replace(/=.*$/, ''));
  const suggestions = names
    .map((name) => [name, closestMatch(name.replace(/^-+/, ''), known)] as const)
    .filter((pair): pair is readonly [string, string] => pair[1] !== null)
    .map(([name, match]) => `${name}: did you mean --${match}?`);
  return [
    `Unknown flag${names.length === 1 ? '' : 's'} ${names.join(', ')} for this command.`,
    suggestions.length > 0
      ? `${suggestions.join(' ')} See --help for the flags it takes.`
      : 'See --help for the flags this command takes.',
  ];
}

function oneLine(text: string): string {
  // Multi-line messages (e.g. from a provider) are kept but flattened to stay "one line".
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

function stripOclifPrefix(message: string): string {
  return message.replace(/^Error:\s*/, '');
}

/**
 * A file system error that names its path, in our voice: a folder where a file belongs (say
 * `.kittify/config.yaml` is a directory), a file where a folder belongs (say
 * `.kittify/tracker` is a file), or no permission. Null for anything else.
 */
export function fileSystemReport(err: {code?: string; path?: unknown; syscall?: unknown}): string[] | null {
  if (typeof err.path !== 'string' || err.path === '') return null;
  const target = err.path;
  switch (err.code) {
    case 'EISDIR':
      return [
        `${target} is a folder, but a file is expected there.`,
        `Move that folder aside (e.g. \`mv ${target} ${target}.bak\`), restore the file from git if it is committed, then run the command again.`,
      ];
    case 'ENOTDIR': {
      const file = fileInTheWay(target);
      return [
        `${file} is a file, but a folder is expected there${file === target ? '' : ` (to reach ${target})`}.`,
        `Move that file aside (e.g. \`mv ${file} ${file}.bak\`), restore the folder from git if it is committed, then run the command again.`,
      ];
    }
    case 'EACCES':
    case 'EPERM': {
      const action = typeof err.syscall === 'string' ? ` (${err.syscall})` : '';
      return [
        `Permission denied on ${target}${action}.`,
        `Give your user read and write access to it (check \`ls -ld ${target}\`), then run the command again.`,
      ];
    }
    default:
      return null;
  }
}

/** The first component of `target` that exists and is not a folder (ENOTDIR names the path asked for). */
function fileInTheWay(target: string): string {
  const {root} = parse(target);
  const parts = target.slice(root.length).split(sep).filter(Boolean);
  let current = root;
  for (const part of parts) {
    current = join(current, part);
    try {
      if (!statSync(current).isDirectory()) return current;
    } catch {
      break; // missing from here on: nothing more to learn
    }
  }
  return target;
}
