import * as path from 'node:path';

import lockfile from 'proper-lockfile';

import {LockError} from './errors.js';
import {isLockedError, retryWhileLocked} from './lock-retry.js';

/** How a lock is waited for and when it is considered abandoned. */
export interface LockOptions {
  /** Give up after waiting this long (default 15 s). */
  readonly waitMs?: number;
  /** A lock not refreshed for this long is stale and may be taken over (default 10 s). */
  readonly staleMs?: number;
}

/** A held lock: `check()` throws once it was compromised (taken over, or its folder vanished). */
export interface HeldLock {
  check(): void;
  release(): Promise<void>;
}

/** Chains in-process holders, so one process never competes with itself through the disk. */
const inProcess = new Map<string, Promise<unknown>>();

/**
 * Runs `body` while holding the proper-lockfile lock `lockPath` on `target`. Waiting is bounded:
 * jittered retries until `waitMs` (`retryWhileLocked`, which says once that it waits), then a
 * `LockError` naming the lock and what to do.
 */
export async function withLock<T>(
  target: string,
  lockPath: string,
  body: (lock: HeldLock) => Promise<T>,
  options: LockOptions = {},
): Promise<T> {
  const key = path.resolve(lockPath);
  const previous = inProcess.get(key) ?? Promise.resolve();
  const run = previous
    .catch(() => undefined)
    .then(async () => {
      const lock = await acquire(target, key, options);
      try {
        return await body(lock);
      } finally {
        await lock.release();
      }
    });
  const settled = run.catch(() => undefined);
  inProcess.set(key, settled);
  void settled.then(() => {
    if (inProcess.get(key) === settled) inProcess.delete(key);
  });
  return run;
}

async function acquire(target: string, lockPath: string, options: LockOptions): Promise<HeldLock> {
  const waitMs = options.waitMs ?? 15_000;
  const staleMs = options.staleMs ?? 10_000;
  return retryWhileLocked(() => takeOnce(target, lockPath, staleMs), {
    waitMs,
    firstDelayMs: 5,
    maxDelayMs: 250,
    factor: 1.6,
    what: `another spec-kitty tracker process holds the writer lock ${lockPath} (a lock left by a stopped process is taken over after ${Math.round(staleMs / 1000)} s)`,
    gaveUp: (tries) =>
      new LockError(
        `another spec-kitty tracker process is writing (lock ${lockPath} held; gave up after ${Math.round(waitMs / 1000)} s and ${tries} tries)`,
        {
          path: lockPath,
          hint: `Wait for the other command to finish and retry. If no other spec-kitty process is running, the lock is stale and is taken over after ${Math.round(staleMs / 1000)} s; you may also delete ${lockPath}.`,
        },
      ),
  });
}

/** One try at the lock: a `HeldLock`, an `ELOCKED` error to retry, or a `LockError`. */
async function takeOnce(target: string, lockPath: string, staleMs: number): Promise<HeldLock> {
  let compromised: Error | null = null;
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(target, {
      lockfilePath: lockPath,
      realpath: false,
      stale: staleMs,
      retries: 0,
      onCompromised: (error) => {
        // Recorded, not thrown: the writer checks before it renames its segment into place.
        compromised = error;
      },
    });
  } catch (error) {
    if (isLockedError(error)) throw error;
    throw new LockError(`cannot take the writer lock ${lockPath}: ${(error as Error).message}`, {
      path: lockPath,
      cause: error,
      hint: 'Check that the folder is writable.',
    });
  }
  return {
    check() {
      if (compromised) {
        throw new LockError(`lost the writer lock ${lockPath} while writing: ${compromised.message}`, {
          path: lockPath,
          hint: 'Another process took the lock over (it looked stale). Nothing was written; run the command again.',
        });
      }
    },
    async release() {
      if (compromised) return;
      await release().catch(() => undefined);
    },
  };
}
