import {TrackerError} from '../../core/errors.js';

/** The user asked for something malformed (a bad flag value): exit code 2, like oclif's parse errors. */
export class UsageError extends TrackerError {}
