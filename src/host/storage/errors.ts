import {TrackerError} from '../../core/errors.js';

/**
 * A problem with the tracker's files under `.kittify/tracker/`: what went wrong and where is in
 * the message, what to do in the hint. Never carries a stack trace to users.
 */
export class StorageError extends TrackerError {
  /** The file or folder concerned, when there is one. */
  readonly path: string | undefined;

  constructor(message: string, options: {cause?: unknown; hint?: string; path?: string} = {}) {
    super(message, options);
    this.path = options.path;
  }
}

/** The scope's writer lock could not be taken in time, or was lost while writing. */
export class LockError extends StorageError {}
