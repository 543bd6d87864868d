import {relative, resolve, sep} from 'node:path';

import {TrackerError} from '../../core/errors.js';
import {registeredSecrets} from '../shared/secret-mask.js';

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
 * The write-path guard for whole files: refuses to write `content` to `path` when `path` is
 * under `.kittify/` and the content carries a credential or a token-shaped string. The config
 * writer (`tracker-config.ts`) calls it on every write of `.kittify/config.yaml`. The tracker
 * log's segments are guarded one level up, on their content, before any event is decided: the
 * host services refuse local content that carries a credential (`assertNoSecretsInContent`,
 * wired in `src/host/services/content-guard.ts`) and mask this machine's credential values in
 * what a pull brings in. The storage writers themselves do not scan, and `doctor` scans every
 * file under `.kittify/` after the fact.
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

/** A credential value to look for, with words that name it without showing it. */
export interface NamedSecret {
  readonly value: string;
  /** E.g. `your GITHUB_TOKEN`. */
  readonly label: string;
}

/** A piece of local content about to be recorded: a string, or JSON holding strings. */
export interface ContentField {
  /** How the user knows the field, e.g. `--title` or `the body of the new issue for WP01`. */
  readonly label: string;
  readonly value: unknown;
}

export class SecretInContentError extends TrackerError {}

/** Every string in a JSON-like value, object keys included. */
function stringsOf(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const item of value) stringsOf(item, out);
  else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      out.push(key);
      stringsOf(item, out);
    }
  }
  return out;
}

/**
 * What credential `value` carries, in words that do not show it (`your GITHUB_TOKEN`, `a GitHub
 * token (ghp_…)`), or null. Looks for the named values, every secret registered in this process,
 * and the providers' token prefixes (not the generic long-random check: issue text may carry
 * hashes and other long strings legitimately).
 */
export function secretIn(value: unknown, known: readonly NamedSecret[] = []): string | null {
  const strings = stringsOf(value);
  if (strings.length === 0) return null;
  for (const secret of known) {
    if (secret.value.length < 6) continue;
    if (strings.some((text) => text.includes(secret.value))) return secret.label;
  }
  for (const text of strings) {
    const findings = findSecrets(text, {heuristics: 'prefixed'});
    if (findings.length > 0) return findings[0].what;
  }
  return null;
}

/**
 * The guard for local content (edits, comments, drafts, mappings) before it is recorded in the
 * tracker log, which is committed: refuses with the field at fault, so nothing is written.
 */
export function assertNoSecretsInContent(
  fields: readonly ContentField[],
  options: {known?: readonly NamedSecret[]; hint?: string} = {},
): void {
  for (const field of fields) {
    const what = secretIn(field.value, options.known);
    if (what === null) continue;
    throw new SecretInContentError(
      `Refusing to record ${field.label}: it contains ${what}, and the tracker cache under .kittify/ is committed. Nothing was written.`,
      {
        hint:
          options.hint ??
          `Remove the credential from ${field.label} and run the command again. Keep credentials in environment variables or \`spec-kitty tracker bind --credential\` (stored outside the repository).`,
      },
    );
  }
}

/** The text that replaces a credential value found in content pulled from a tracker. */
export const SECRET_MASK = '***';

/** Any provider token shape (the prefixed patterns above), to mask in content pulled from a tracker. */
const TOKEN_SHAPE = new RegExp(TOKEN_PATTERNS.map(({pattern}) => pattern.source).join('|'));
const TOKEN_SHAPES = new RegExp(TOKEN_SHAPE.source, 'g');
const TOKEN_PREFIX = /^(?:gh[pousr]_|github_pat_|glpat-|lin_api_|xox[abposr]-|ATATT)/;

export function hasTokenShape(text: string): boolean {
  return TOKEN_SHAPE.test(text);
}

/**
 * `text` with every provider token shape replaced by its prefix and `***` (`ghp_***`): someone's
 * token quoted in an issue must not reach the committed log, where it could never be removed
 * (and where hosting sites' secret scanning would refuse the push).
 */
export function maskTokenShapes(text: string): string {
  return text.replace(TOKEN_SHAPES, (token) => `${TOKEN_PREFIX.exec(token)?.[0] ?? ''}${SECRET_MASK}`);
}

/** `text` with every one of `secrets` replaced by `***` (longest first). */
export function maskSecretsInText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join(SECRET_MASK);
  return out;
}
