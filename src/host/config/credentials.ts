import {existsSync, mkdirSync, readFileSync} from 'node:fs';
import {homedir} from 'node:os';
import {dirname, join} from 'node:path';
import {parse as parseToml, stringify as stringifyToml} from 'smol-toml';

import {TrackerError} from '../../core/errors.js';
import {PROVIDERS, type CredentialSpec, type ProviderDescriptor} from '../../core/connectors/registry.js';
import {registerSecret} from '../cli/secret-mask.js';
import {atomicWriteFileSync} from './atomic-write.js';
import {readPrivateToml} from './private-toml.js';
import {retryWhileLocked} from '../storage/lock-retry.js';

/**
 * Machine-global tracker credentials: environment variables first, then the TOML file
 * `$SPEC_KITTY_HOME/credentials` (or `~/.spec-kitty/credentials`), table
 * `[tracker.providers.<provider>]`. The file is shared with other spec-kitty state (`[user]`,
 * `[server]`...), which every write keeps. It must be private (0600): a group- or
 * other-readable file is refused, not silently used. Each read-modify-write holds one lock
 * for its whole duration and replaces the file atomically (the incumbent truncated before
 * locking and locked read and write separately).
 */

export class CredentialsFileError extends TrackerError {}

type TomlTable = Record<string, unknown>;

/** `$SPEC_KITTY_HOME` when set, else `~/.spec-kitty`. */
export function runtimeRoot(env: NodeJS.ProcessEnv = process.env): string {
  const home = env.SPEC_KITTY_HOME?.trim();
  if (home) return home;
  return join(env.HOME?.trim() || homedir(), '.spec-kitty');
}

export function credentialsPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(runtimeRoot(env), 'credentials');
}

/** Reads the whole file; missing or blank is `{}`. Refuses a file others can read. */
export function readCredentialsFile(path: string): TomlTable {
  return readPrivateToml(path, {
    forbiddenMode: 0o077,
    looseMode: (file, mode) =>
      `Credentials file ${file} is readable by other users (mode ${mode}); refusing to use it.`,
    repairHint: (file) => `Fix ${file} (it is TOML), or remove it and bind again with --credential.`,
    error: CredentialsFileError,
  });
}

function providerTable(data: TomlTable, provider: string): Record<string, string> {
  const tracker = data.tracker as TomlTable | undefined;
  const providers = tracker?.providers as TomlTable | undefined;
  const table = providers?.[provider];
  if (typeof table !== 'object' || table === null || Array.isArray(table)) return {};
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(table as TomlTable)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
      out[key] = String(value);
  }
  return out;
}

/** The provider's table from the file (a copy; `{}` when none). */
export function readProviderCredentials(
  provider: string,
  env: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  return providerTable(readCredentialsFile(credentialsPath(env)), provider);
}

/** Where a resolved credential came from, for `status` (never the value). */
export type CredentialSource =
  {readonly kind: 'env'; readonly variable: string} | {readonly kind: 'file'; readonly path: string};

export interface ResolvedCredentials {
  /** Values by key, for the connector config. Secrets are registered for masking. */
  readonly values: Readonly<Record<string, string>>;
  readonly sources: Readonly<Record<string, CredentialSource>>;
  /** Required credentials found nowhere. */
  readonly missing: readonly CredentialSpec[];
}

/**
 * Resolves a provider's credentials: each spec's env var first, then the file's table; keys in
 * the file that no spec names (e.g. `server_url` for a local provider) are passed on too.
 * Reading the file is skipped when the environment already supplies every credential, so CI
 * with env vars never trips over a shared machine's file.
 */
export function resolveCredentials(
  descriptor: ProviderDescriptor,
  env: NodeJS.ProcessEnv = process.env,
): ResolvedCredentials {
  const values: Record<string, string> = {};
  const sources: Record<string, CredentialSource> = {};
  for (const spec of descriptor.credentials) {
    const fromEnv = spec.env ? env[spec.env]?.trim() : undefined;
    if (fromEnv) {
      values[spec.key] = fromEnv;
      sources[spec.key] = {kind: 'env', variable: spec.env!};
    }
  }
  const needFile = descriptor.credentials.some((spec) => values[spec.key] === undefined);
  if (needFile) {
    const path = credentialsPath(env);
    const table = providerTable(readCredentialsFile(path), descriptor.name);
    for (const [key, value] of Object.entries(table)) {
      if (values[key] === undefined && value.trim() !== '') {
        values[key] = value;
        sources[key] = {kind: 'file', path};
      }
    }
  }
  for (const spec of descriptor.credentials) if (spec.secret) registerSecret(values[spec.key]);
  const missing = descriptor.credentials.filter((spec) => spec.required && values[spec.key] === undefined);
  return {values, sources, missing};
}

/** A credential value this machine holds, with words that name it without showing it. */
export interface KnownCredential {
  readonly value: string;
  /** E.g. `your GITHUB_TOKEN`, or `the github token stored in ~/.spec-kitty/credentials`. */
  readonly label: string;
}

/**
 * Every secret credential value of every provider on this machine: the secret specs' environment
 * variables, then the credentials file's tables. For guarding what is written into the
 * repository, so it never throws: a file others can read, or malformed TOML, is still compared
 * against where it can be parsed (its values are only compared, never used), and the commands
 * that use credentials report those problems themselves.
 */
export function knownCredentials(env: NodeJS.ProcessEnv = process.env): KnownCredential[] {
  const out: KnownCredential[] = [];
  const seen = new Set<string>();
  const add = (value: string | undefined, label: string): void => {
    const trimmed = value?.trim();
    if (!trimmed || seen.has(trimmed)) return;
    seen.add(trimmed);
    out.push({value: trimmed, label});
  };
  for (const descriptor of PROVIDERS) {
    for (const spec of descriptor.credentials)
      if (spec.secret && spec.env) add(env[spec.env], `your ${spec.env}`);
  }
  const path = credentialsPath(env);
  let data: TomlTable = {};
  try {
    if (existsSync(path)) {
      const text = readFileSync(path, 'utf8');
      data = text.trim() === '' ? {} : (parseToml(text) as TomlTable);
    }
  } catch {
    data = {};
  }
  for (const descriptor of PROVIDERS) {
    const table = providerTable(data, descriptor.name);
    for (const spec of descriptor.credentials) {
      if (spec.secret) add(table[spec.key], `the ${descriptor.name} ${spec.key} stored in ${path}`);
    }
  }
  return out;
}

/** The error for missing required credentials: names the env var and the `bind --credential` way. */
export function missingCredentialsError(
  descriptor: ProviderDescriptor,
  missing: readonly CredentialSpec[],
  env: NodeJS.ProcessEnv = process.env,
): TrackerError {
  const names = missing.map((spec) => (spec.env ? `${spec.env} (${spec.key})` : spec.key)).join(', ');
  const envPart = missing
    .filter((s) => s.env)
    .map((s) => `export ${s.env}=…`)
    .join(' and ');
  const bindPart = missing.map((s) => `--credential ${s.key}=…`).join(' ');
  return new TrackerError(`No credentials for ${descriptor.name}: ${names} is not set.`, {
    hint:
      `${envPart ? `Run \`${envPart}\`, or store it once with` : 'Store it with'} ` +
      `\`spec-kitty tracker bind --provider ${descriptor.name} --workspace … ${bindPart}\` (kept in ${credentialsPath(env)}, outside the repository).`,
  });
}

/**
 * Runs `action` holding the lock of a machine-global file (`<path>.lock`, proper-lockfile, with
 * stale detection; bounded retries on the shared retry loop, `retryWhileLocked`); the folder is
 * created private (0700) when missing.
 */
export async function withMachineFileLock<T>(path: string, action: () => T): Promise<T> {
  mkdirSync(dirname(path), {recursive: true, mode: 0o700});
  // The default export is the CommonJS module in Node and in a bundle alike (named exports are not).
  const {default: lockfile} = await import('proper-lockfile');
  let compromised: Error | null = null;
  const lockfilePath = `${path}.lock`;
  const release = await retryWhileLocked(
    () =>
      lockfile.lock(path, {
        realpath: false,
        lockfilePath,
        stale: 10_000,
        retries: 0,
        onCompromised: (error) => {
          compromised = error;
        },
      }),
    {
      waitMs: 7_000,
      firstDelayMs: 25,
      maxDelayMs: 500,
      factor: 1.5,
      what: `another spec-kitty process holds the lock on ${path}`,
      gaveUp: () =>
        new CredentialsFileError(`${path} is locked by another spec-kitty process.`, {
          hint: `Try again in a moment; if no other process runs, remove ${lockfilePath}.`,
        }),
    },
  );
  try {
    const result = action();
    if (compromised) {
      throw new CredentialsFileError(`Lost the lock on ${path} while writing.`, {
        hint: 'Check the file, then run the command again.',
      });
    }
    return result;
  } finally {
    await release().catch(() => undefined);
  }
}

function writeCredentialsFile(path: string, data: TomlTable): void {
  const text = Object.keys(data).length === 0 ? '' : `${stringifyToml(data)}\n`;
  atomicWriteFileSync(path, text, {mode: 0o600});
}

/** Replaces the provider's table with `values` (blank keys/values dropped), under the lock. */
export async function writeProviderCredentials(
  provider: string,
  values: Readonly<Record<string, string>>,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  const path = credentialsPath(env);
  const clean = Object.fromEntries(
    Object.entries(values)
      .map(([k, v]) => [k.trim(), v.trim()] as const)
      .filter(([k, v]) => k !== '' && v !== ''),
  );
  for (const value of Object.values(clean)) registerSecret(value);
  await withMachineFileLock(path, () => {
    const data = readCredentialsFile(path);
    const tracker = (
      typeof data.tracker === 'object' && data.tracker !== null ? data.tracker : {}
    ) as TomlTable;
    const providers = (
      typeof tracker.providers === 'object' && tracker.providers !== null ? tracker.providers : {}
    ) as TomlTable;
    providers[provider] = clean;
    tracker.providers = providers;
    data.tracker = tracker;
    writeCredentialsFile(path, data);
  });
  return path;
}

/** Removes the provider's table (other providers and tables untouched). Returns whether it existed. */
export async function clearProviderCredentials(
  provider: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<boolean> {
  const path = credentialsPath(env);
  if (!existsSync(path)) return false;
  return withMachineFileLock(path, () => {
    const data = readCredentialsFile(path);
    const providers = (data.tracker as TomlTable | undefined)?.providers as TomlTable | undefined;
    if (!providers || !(provider in providers)) return false;
    delete providers[provider];
    writeCredentialsFile(path, data);
    return true;
  });
}
