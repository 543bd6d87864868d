/** What `doctor` found: one finding per problem, with whether `--fix` can repair it. */

export type FindingCode =
  | 'symlink'
  | 'invalid_line'
  | 'torn_tail'
  | 'duplicate_event'
  | 'fold_diagnostic'
  | 'stale_lock'
  | 'active_lock'
  | 'temp_file'
  | 'unknown_file'
  | 'open_segment'
  | 'damaged_checkpoint'
  | 'ignore_rules';

export interface DoctorFinding {
  readonly code: FindingCode;
  /** error: data needs a person; warning: repairable or worth a look; info: harmless. */
  readonly severity: 'error' | 'warning' | 'info';
  readonly message: string;
  /** Relative to the repository root, when the finding is about a file. */
  readonly path?: string;
  /** `fix` can repair it without losing data. */
  readonly fixable: boolean;
  fixed: boolean;
  /** The invariant of docs/ARCHITECTURE.md this damage breaks (`INV-3`), when it breaks one. */
  readonly invariant?: string;
}
