import {createHash} from 'node:crypto';
import {existsSync} from 'node:fs';
import * as path from 'node:path';

import {StorageError} from '../fs/errors.js';

/** Where every scope lives, relative to the repository root. */
export const TRACKER_DIR = path.join('.kittify', 'tracker');

/** The scope's writer lock: the folder proper-lockfile creates beside the scope's files. */
export const WRITER_LOCK_NAME = '.writer.lock';

/** One binding (provider, server, workspace): one folder of tracker data. */
export interface TrackerScopeId {
  readonly provider: string;
  /** The server's base URL, or '' for the provider's default (public cloud, local executable). */
  readonly serverUrl: string;
  readonly workspace: string;
}

const MAX_SLUG = 48;

/** `[a-z0-9-]` only, runs of anything else collapsed to one dash, trimmed, bounded. */
export function slugify(text: string, max = MAX_SLUG): string {
  const slug = text
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return slug.slice(0, max).replace(/-+$/, '');
}

/**
 * The scope folder name: readable (`github-acme-widgets`) plus a short hash of the full binding,
 * so two servers or two workspaces that slug alike never share a folder. The name holds only
 * `[a-z0-9-]`, so a workspace such as `../../etc` cannot make it leave `.kittify/tracker/`.
 */
export function scopeName(scope: TrackerScopeId): string {
  const hash = createHash('sha256')
    .update(`${scope.provider}|${normaliseServer(scope.serverUrl)}|${scope.workspace}`)
    .digest('hex')
    .slice(0, 8);
  const readable = slugify(`${slugify(scope.provider, 16)}-${slugify(scope.workspace)}`) || 'scope';
  return `${readable}-${hash}`;
}

/** Trailing slashes and case of the host do not make a different server. */
function normaliseServer(serverUrl: string): string {
  const trimmed = serverUrl.trim().replace(/\/+$/, '');
  try {
    const url = new URL(trimmed);
    return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`.toLowerCase();
  } catch {
    return trimmed.toLowerCase();
  }
}

export function trackerDir(root: string): string {
  return path.join(path.resolve(root), TRACKER_DIR);
}

/** The scope's folder, guaranteed to be a direct child of `<root>/.kittify/tracker/`. */
export function scopeDir(root: string, scope: TrackerScopeId): string {
  return scopeDirByName(root, scopeName(scope));
}

export function scopeDirByName(root: string, name: string): string {
  const base = trackerDir(root);
  const dir = path.resolve(base, name);
  const relative = path.relative(base, dir);
  if (
    relative === '' ||
    relative.startsWith('..') ||
    path.isAbsolute(relative) ||
    relative.includes(path.sep)
  ) {
    throw new StorageError(`scope folder ${JSON.stringify(name)} would leave ${base}`, {
      hint: 'Scope names hold only letters, digits and dashes.',
    });
  }
  return dir;
}

/** The scope's folder relative to the root (with `/`), or null when it does not exist. */
export function existingScopeDir(root: string, scope: TrackerScopeId): string | null {
  const dir = scopeDir(root, scope);
  return existsSync(dir) ? path.relative(path.resolve(root), dir).split(path.sep).join('/') : null;
}
