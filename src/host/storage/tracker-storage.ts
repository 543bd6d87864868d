import * as path from 'node:path';

import {LogBackedStores, type Clock} from '../../core/index.js';
import {CheckpointFileStore} from './checkpoint-file-store.js';
import {JsonlEventLog, type JsonlEventLogOptions} from './jsonl-event-log.js';
import {scopeDir as scopeDirFor, scopeName} from './scope.js';
import type {LockOptions} from '../fs/file-lock.js';

export interface OpenTrackerStorageOptions {
  /** Repository root (the folder holding `.kittify/`). */
  readonly root: string;
  readonly provider: string;
  /** The tracker server's base URL, '' for the provider's default. */
  readonly serverUrl: string;
  readonly workspace: string;
  readonly clock?: Clock;
  /** Treat damaged checkpoint files as missing. */
  readonly repair?: boolean;
  readonly lock?: LockOptions;
  /** The git-ignored read cache (default on); false reads the segments only. */
  readonly readCache?: JsonlEventLogOptions['readCache'];
}

export interface TrackerStorage {
  readonly scopeName: string;
  readonly scopeDir: string;
  readonly log: JsonlEventLog;
  /** Issue and mapping stores over the log. */
  readonly stores: LogBackedStores;
  readonly checkpoints: CheckpointFileStore;
  /** Non-fatal problems met so far (torn tails, repaired checkpoints), for the caller to print. */
  readonly warnings: readonly string[];
}

/** The durable stores of one binding. Opening touches nothing on disk. */
export function openTrackerStorage(options: OpenTrackerStorageOptions): TrackerStorage {
  const root = path.resolve(options.root);
  const scope = {provider: options.provider, serverUrl: options.serverUrl, workspace: options.workspace};
  const dir = scopeDirFor(root, scope);
  const log = new JsonlEventLog({
    root,
    scopeDir: dir,
    clock: options.clock,
    lock: options.lock,
    readCache: options.readCache,
  });
  const checkpoints = new CheckpointFileStore({
    root,
    scopeDir: dir,
    repair: options.repair,
    lock: options.lock,
  });
  return {
    scopeName: scopeName(scope),
    scopeDir: dir,
    log,
    stores: new LogBackedStores(log),
    checkpoints,
    get warnings() {
      return [...log.warnings, ...checkpoints.warnings];
    },
  };
}
