import {spawn} from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import type {ReadIndexView} from '../storage/read-index/read-index.js';
import {hasStorageOpener} from './storage-gateway.js';
import type {BoundContext} from './service-context.js';

/**
 * The first `show` in a clone without a read index: answered from a targeted scan of the
 * segments (`targeted-scan.ts`), the index then built once by a detached child process, so the
 * command returns as soon as its answer is printed. `SPEC_KITTY_TRACKER_INDEX_BUILD` says how:
 * `background` (the default), `inline` (build first, then answer from the index: the behaviour
 * before, and what tests use so that no process outlives them), `off` (answer from the scan,
 * build nothing; a later read builds the index as it needs it).
 */
export type IndexBuildMode = 'background' | 'inline' | 'off';

export const INDEX_BUILD_ENV = 'SPEC_KITTY_TRACKER_INDEX_BUILD';

export function indexBuildMode(env: NodeJS.ProcessEnv): IndexBuildMode {
  const value = env[INDEX_BUILD_ENV]?.trim().toLowerCase();
  return value === 'inline' || value === 'off' ? value : 'background';
}

/** Where the scope's files are. */
async function scopeOf(context: BoundContext): Promise<{root: string; scopeDir: string}> {
  const {scopeDir} = await import('../storage/scope.js');
  const {root} = context.location;
  const {provider, serverUrl, workspace} = context.binding;
  return {root, scopeDir: scopeDir(root, {provider, serverUrl: serverUrl ?? '', workspace})};
}

/** Segments below this many bytes are not indexed (`openReadIndex` folds them): no scan either. */
const MIN_LOG_BYTES = 1 << 20;

/**
 * The view `show KEY` answers from when this clone has no read index yet; null when the index
 * is there (or is to be built inline), the log is small, or the scan cannot be sure.
 */
export async function targetedShowFor(
  context: BoundContext,
  key: string,
  env: NodeJS.ProcessEnv,
): Promise<ReadIndexView | null> {
  if (hasStorageOpener() || indexBuildMode(env) === 'inline') return null;
  const {root, scopeDir} = await scopeOf(context);
  const [{BASE_NAME}, {listSegments}, {targetedShowView}] = await Promise.all([
    import('../storage/read-index/index-format.js'),
    import('../storage/segment-listing.js'),
    import('../storage/read-index/targeted-scan.js'),
  ]);
  if (fs.existsSync(path.join(scopeDir, 'cache', BASE_NAME))) return null;
  const eventsDir = path.join(scopeDir, 'events');
  let bytes = 0;
  try {
    for (const stamp of listSegments(root, eventsDir, (name) => name).segments.values())
      bytes += Number.parseInt(stamp, 10);
  } catch {
    return null;
  }
  if (bytes < MIN_LOG_BYTES) return null;
  return targetedShowView(root, eventsDir, key);
}

/**
 * Node options of the background build. Its garbage is short-lived (a line, an event, an entry
 * handed to the spill file), and V8 grows the young generation to 16 MB semispaces in a run of
 * some seconds: most of what a large build took beyond a small one was that growth. A 4 MB cap
 * keeps the builder near its working set, at a cost in time within noise (see docs/ARCHITECTURE.md).
 */
export const INDEX_BUILD_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=4'];

/**
 * Starts the index build in a detached child (`tracker index-build`, hidden) and does not wait
 * for it. Two builds at once are harmless: each writes its files atomically under new names.
 */
export function buildIndexInBackground(context: BoundContext, env: NodeJS.ProcessEnv): void {
  if (indexBuildMode(env) !== 'background') return;
  const entry = process.argv[1];
  if (!entry) return;
  try {
    const child = spawn(process.execPath, [...INDEX_BUILD_NODE_FLAGS, entry, 'tracker', 'index-build'], {
      cwd: context.location.root,
      detached: true,
      stdio: 'ignore',
      env: {...env, [INDEX_BUILD_ENV]: 'inline'},
    });
    // A child that cannot start says so as an event, which would otherwise end this process.
    child.on('error', () => undefined);
    child.unref();
  } catch {
    // the next read builds it
  }
}

/** `tracker index-build`: brings the scope's read index up to date (builds it when missing). */
export async function buildReadIndex(environment: {cwd: string; env: NodeJS.ProcessEnv}): Promise<void> {
  const [{loadBoundProject}, {openIndexFor}] = await Promise.all([
    import('./service-context.js'),
    import('./indexed-reads.js'),
  ]);
  const context = await loadBoundProject(environment);
  (await openIndexFor(context))?.close();
}
