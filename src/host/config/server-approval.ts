import {join} from 'node:path';
import {stringify as stringifyToml} from 'smol-toml';

import {TrackerError} from '../../core/errors.js';
import {writeFileAtomicSync} from '../fs/safe-fs.js';
import {runtimeRoot, withMachineFileLock} from './credentials.js';
import {readPrivateToml} from './private-toml.js';

/**
 * Which server each provider's credentials may be sent to, approved by the user on this machine.
 *
 * The binding (provider, workspace, server URL) lives in `.kittify/config.yaml`, which is
 * committed: anyone who can get a change merged can point `tracker.server_url` elsewhere. The
 * credentials are machine-global and looked up by provider. So the server a provider's
 * credentials go to is approved machine-globally too, when the user runs `bind --server-url`
 * here, and kept in `$SPEC_KITTY_HOME/approved-servers` (TOML, table
 * `[tracker.approved_servers]`, one list of URLs per provider), never in the repository, written
 * atomically with mode 0600 under the same kind of lock as the credentials file. The provider's
 * cloud URL is always approved. A sync refuses a server that is not approved before any request.
 */

export class ServerUrlError extends TrackerError {}
export class ApprovalsFileError extends TrackerError {}

type TomlTable = Record<string, unknown>;

/** `$SPEC_KITTY_HOME/approved-servers` (default `~/.spec-kitty/approved-servers`). */
export function approvalsPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(runtimeRoot(env), 'approved-servers');
}

/** True for 127.0.0.0/8, `localhost` and `[::1]` (a hostname as `URL` parses it). */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  if (host === 'localhost' || host === '[::1]') return true;
  // `URL` has already turned every IPv4 spelling (127.1, 0x7f.1...) into dotted decimal.
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

export type ServerUrlProblem = 'not_a_url' | 'scheme' | 'credentials' | 'plain_http';

/**
 * Checks a server URL and returns its normal form (`https://host[:port]/path`, no trailing
 * slash, no query or fragment), or the problem: not a URL, not http(s), credentials in it, or
 * plain `http://` to a host that is not loopback (the token would cross the network in clear).
 */
export function checkServerUrl(raw: string): {url: string} | {problem: ServerUrlProblem} {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return {problem: 'not_a_url'};
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return {problem: 'scheme'};
  if (url.username || url.password) return {problem: 'credentials'};
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) return {problem: 'plain_http'};
  const path = url.pathname.replace(/\/+$/, '');
  return {url: `${url.protocol}//${url.host}${path}`};
}

/** The normal form of a URL for comparing approvals, or null when it is not an http(s) URL. */
export function normaliseServerUrl(raw: string): string | null {
  const checked = checkServerUrl(raw);
  if ('url' in checked) return checked.url;
  if (checked.problem !== 'plain_http') return null;
  const url = new URL(raw.trim());
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
}

function readApprovalsFile(path: string): TomlTable {
  return readPrivateToml(path, {
    forbiddenMode: 0o022,
    looseMode: (file, mode) =>
      `${file} can be written by other users (mode ${mode}); refusing to trust the servers it lists.`,
    repairHint: (file) =>
      `Fix ${file} (it is TOML), or remove it and approve the servers again with \`spec-kitty tracker bind --server-url …\`.`,
    error: ApprovalsFileError,
  });
}

function approvalsTable(data: TomlTable): TomlTable {
  const tracker = data.tracker as TomlTable | undefined;
  const table = tracker?.approved_servers;
  return typeof table === 'object' && table !== null && !Array.isArray(table) ? (table as TomlTable) : {};
}

/** The server URLs approved for `provider` on this machine (normal form). */
export function approvedServers(provider: string, env: NodeJS.ProcessEnv = process.env): string[] {
  const list = approvalsTable(readApprovalsFile(approvalsPath(env)))[provider];
  if (!Array.isArray(list)) return [];
  return list
    .filter((item): item is string => typeof item === 'string')
    .map((item) => normaliseServerUrl(item))
    .filter((item): item is string => item !== null);
}

/**
 * Whether `serverUrl` may receive `provider`'s credentials: the provider's default (cloud) URL,
 * or one approved on this machine.
 */
export function isServerApproved(
  provider: string,
  defaultServerUrl: string | null,
  serverUrl: string,
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  const wanted = normaliseServerUrl(serverUrl);
  if (wanted === null) return false;
  if (defaultServerUrl !== null && normaliseServerUrl(defaultServerUrl) === wanted) return true;
  return approvedServers(provider, env).includes(wanted);
}

/**
 * Records that `provider`'s credentials may go to `serverUrl`. Idempotent: an approval already
 * recorded writes nothing. Other providers and other tables in the file are kept.
 */
export async function approveServer(
  provider: string,
  serverUrl: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{path: string; added: boolean}> {
  const path = approvalsPath(env);
  const url = normaliseServerUrl(serverUrl);
  if (url === null) throw new ServerUrlError(`Cannot approve '${serverUrl}': not an http(s) URL.`);
  if (approvedServers(provider, env).includes(url)) return {path, added: false};
  const added = await withMachineFileLock(path, () => {
    const data = readApprovalsFile(path);
    const tracker = (
      typeof data.tracker === 'object' && data.tracker !== null ? data.tracker : {}
    ) as TomlTable;
    const table = approvalsTable(data);
    const current = Array.isArray(table[provider]) ? (table[provider] as unknown[]) : [];
    if (current.some((item) => typeof item === 'string' && normaliseServerUrl(item) === url)) return false;
    table[provider] = [...current, url];
    tracker.approved_servers = table;
    data.tracker = tracker;
    writeFileAtomicSync(path, `${stringifyToml(data)}\n`, {mode: 0o600});
    return true;
  });
  return {path, added};
}
