import {existsSync, readFileSync, statSync} from 'node:fs';

import {parse as parseToml, TomlError, type TomlTable} from 'smol-toml';

import type {TrackerError} from '../../core/errors.js';

/** How one machine-global TOML file (credentials, approved servers) is read and refused. */
export interface PrivateTomlFile {
  /** Permission bits others must not have (0o077: not readable; 0o022: not writable). */
  readonly forbiddenMode: number;
  /** What the file is and why a loose mode is refused, e.g. "is readable by other users". */
  readonly looseMode: (path: string, mode: string) => string;
  /** What to do about malformed TOML. */
  readonly repairHint: (path: string) => string;
  readonly error: new (message: string, options: {hint: string}) => TrackerError;
}

/**
 * Reads a machine-global TOML file: missing or blank is `{}`; a mode others could abuse is
 * refused (POSIX) with how to fix it; malformed TOML names the file, line and column.
 */
export function readPrivateToml(path: string, file: PrivateTomlFile): TomlTable {
  if (!existsSync(path)) return {};
  const mode = statSync(path).mode & 0o777;
  if (process.platform !== 'win32' && (mode & file.forbiddenMode) !== 0) {
    throw new file.error(file.looseMode(path, mode.toString(8).padStart(4, '0')), {
      hint: `Run \`chmod 600 ${path}\`, then run the command again.`,
    });
  }
  const text = readFileSync(path, 'utf8');
  if (text.trim() === '') return {};
  try {
    return parseToml(text) as TomlTable;
  } catch (error) {
    const where = error instanceof TomlError ? `${path}:${error.line}:${error.column}` : path;
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new file.error(`Malformed TOML in ${where}: ${reason}`, {hint: file.repairHint(path)});
  }
}
