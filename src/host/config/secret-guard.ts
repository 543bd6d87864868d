import {relative, resolve, sep} from 'node:path';

import {TrackerError} from '../../core/errors.js';
import {registeredSecrets} from '../cli/secret-mask.js';

/** Token shapes of the providers we know, and generic long random strings. */
const TOKEN_PATTERNS: readonly {name: string; pattern: RegExp}[] = [
  {name: 'a GitHub token', pattern: /\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{20,}\b/},
  {name: 'a GitHub token', pattern: /\bgithub_pat_[A-Za-z0-9_]{22,}\b/},
  {name: 'a GitLab token', pattern: /\bglpat-[A-Za-z0-9_-]{20,}\b/},
  {name: 'a Linear API key', pattern: /\blin_api_[A-Za-z0-9]{20,}\b/},
  {name: 'a Slack token', pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}\b/},
  {name: 'an Atlassian API token', pattern: /\bATATT[A-Za-z0-9_\-=]{20,}\b/},
];

/**
 * A long base64/base64url run with mixed case and digits: the shape of most API secrets. Pure hex
 * (commit ids, hashes) and ULIDs (upper case only) do not match.
 */
const LONG_BASE64 = /[A-Za-z0-9+/_-]{40,}={0,2}/g;

function looksRandom(run: string): boolean {
  if (/^[0-9a-f]+$/i.test(run.replace(/=+$/, ''))) return false;
  return /[a-z]/.test(run) && /[A-Z]/.test(run) && /[0-9]/.test(run);
}

export interface SecretFinding {
  /** What was found, never the value itself. */
  readonly what: string;
  /** 1-based line of the content where it was found. */
  readonly line: number;
}

/**
 * Finds credentials in text: any of `knownSecrets` (plus every secret registered in this
 * process) and token-shaped strings. With `heuristics: 'prefixed'` only provider token prefixes
 * count (for content that legitimately carries long random strings, such as issue bodies).
 */
export function findSecrets(
  content: string,
  options: {knownSecrets?: readonly string[]; heuristics?: 'all' | 'prefixed' | 'none'} = {},
): SecretFinding[] {
  const findings: SecretFinding[] = [];
  const lineOf = (index: number): number => content.slice(0, index).split('\n').length;
  const known = [...(options.knownSecrets ?? []), ...registeredSecrets()].filter((s) => s.length >= 6);
  for (const secret of new Set(known)) {
    const index = content.indexOf(secret);
    if (index >= 0) findings.push({what: 'a stored credential value', line: lineOf(index)});
  }
  const heuristics = options.heuristics ?? 'all';
  if (heuristics !== 'none') {
    for (const {name, pattern} of TOKEN_PATTERNS) {
      const match = pattern.exec(content);
      if (match) findings.push({what: `${name} (${match[0].slice(0, 4)}…)`, line: lineOf(match.index)});
    }
  }
  if (heuristics === 'all') {
    for (const match of content.matchAll(LONG_BASE64)) {
      if (looksRandom(match[0])) {
        findings.push({what: 'a long random token-shaped string', line: lineOf(match.index ?? 0)});
        break;
      }
    }
  }
  return findings.sort((a, b) => a.line - b.line);
}

export class SecretInRepositoryError extends TrackerError {}

/** True when `path` is inside a `.kittify` folder (the part of the project that gets committed). */
export function isUnderKittify(path: string): boolean {
  return resolve(path).split(sep).includes('.kittify');
}

/**
 * The write-path guard: refuses to write `content` to `path` when `path` is under `.kittify/`
 * and the content carries a credential or a token-shaped string. Every writer of files under
 * `.kittify/` calls it (config writes here; the storage writers for log segments).
 */
export function assertNoSecrets(
  path: string,
  content: string,
  options: {knownSecrets?: readonly string[]; heuristics?: 'all' | 'prefixed' | 'none'; root?: string} = {},
): void {
  if (!isUnderKittify(path)) return;
  const findings = findSecrets(content, options);
  if (findings.length === 0) return;
  const shown = options.root ? relative(options.root, path) : path;
  const first = findings[0];
  throw new SecretInRepositoryError(
    `Refusing to write ${shown}: line ${first.line} would contain ${first.what}, and files under .kittify/ are committed.`,
    {
      hint: 'Keep credentials in environment variables or `spec-kitty tracker bind --credential key=value` (stored outside the repository).',
    },
  );
}
