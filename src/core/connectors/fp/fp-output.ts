/**
 * Reading fp's text output and translating statuses and priorities the way spec-kitty's Python
 * tracker does, so both read one fp project alike: issue lines look like `<ID> [<status>] [<priority>] <title>` (the priority
 * is optional), possibly behind tree glyphs when issues are nested.
 */
import type {CanonicalStatus} from '../../model/enums.js';
import {snippet} from '../local-cli/output-parsing.js';
import {IssuePayloadContractError} from '../../errors.js';

export const FP_PROVIDER = 'fp';

const ISSUE_LINE =
  /^(?<id>[A-Za-z0-9_-]+)\s+\[(?<status>[^\]]+)\](?:\s+\[(?<priority>[^\]]+)\])?\s+(?<title>.+)$/;
/** Box-drawing and ASCII tree prefixes fp prints before nested issues. */
const TREE_PREFIX = /^[\s│├└─┬┴┼┌┐┘┤|`+]+/;
/** Lines fp prints around an issue list that carry no issue. */
const NON_ISSUE_LINE = /^(no (open |matching )?issues( found)?\.?|\d+ issues?( found)?\.?)$/i;
/** fp issue ids (`FP-12`, `PROJ-a1b2`) as found in free text such as `Created issue FP-12`. */
const ISSUE_ID = /\b[A-Z][A-Z0-9]*-[A-Za-z0-9][A-Za-z0-9-]*\b/;

export const FP_ISSUE_LINE_FORMAT = '`<ID> [<status>] [<priority>] <title>`';

export interface FpIssueLine {
  readonly id: string;
  readonly status: CanonicalStatus;
  readonly priority: number | null;
  readonly title: string;
  /** The line as printed (after the tree prefix), kept in `raw`. */
  readonly line: string;
  /** 1-based line number in the output. */
  readonly lineNumber: number;
}

const STATUS_FROM_FP: Readonly<Record<string, CanonicalStatus>> = {
  todo: 'todo',
  'in-progress': 'in_progress',
  in_progress: 'in_progress',
  done: 'done',
  blocked: 'blocked',
  'in-review': 'in_review',
  in_review: 'in_review',
  canceled: 'canceled',
  cancelled: 'canceled',
};

const STATUS_TO_FP: Readonly<Record<CanonicalStatus, string>> = {
  todo: 'todo',
  in_progress: 'in-progress',
  in_review: 'in-progress',
  blocked: 'in-progress',
  done: 'done',
  canceled: 'done',
};

/** fp status -> canonical; an unknown status reads as todo (not yet started is the safe guess). */
export function statusFromFp(status: string): CanonicalStatus {
  return STATUS_FROM_FP[status.trim().toLowerCase()] ?? 'todo';
}

export function statusToFp(status: CanonicalStatus): string {
  return STATUS_TO_FP[status];
}

/** Canonical priority (0 highest .. 4) -> fp's four levels: 0 critical, 1 high, 2 medium, else low. */
export function priorityToFp(priority: number): string {
  if (priority <= 0) return 'critical';
  if (priority === 1) return 'high';
  if (priority === 2) return 'medium';
  return 'low';
}

export function priorityFromFp(value: string | undefined): number | null {
  const normalised = (value ?? '').trim().toLowerCase();
  if (normalised === '') return null;
  const named: Record<string, number> = {critical: 0, high: 1, medium: 2, low: 3};
  if (normalised in named) return named[normalised];
  const parsed = Number(normalised);
  return Number.isFinite(parsed) ? Math.max(0, Math.min(4, Math.trunc(parsed))) : null;
}

/** Parses one line, or returns null when it is not an issue line. */
export function parseIssueLine(rawLine: string, lineNumber: number): FpIssueLine | null {
  const line = rawLine.replace(TREE_PREFIX, '').trim();
  const match = ISSUE_LINE.exec(line);
  if (!match?.groups) return null;
  return {
    id: match.groups.id,
    status: statusFromFp(match.groups.status),
    priority: priorityFromFp(match.groups.priority),
    title: match.groups.title.trim(),
    line,
    lineNumber,
  };
}

/**
 * Every issue line of `fp issue list` output. Blank lines, bare tree glyphs and "No issues
 * found"-style lines are skipped; any other line is an error naming it, so a changed output
 * format is reported instead of silently dropping issues.
 */
export function parseIssueList(text: string, what: string): FpIssueLine[] {
  const issues: FpIssueLine[] = [];
  text.split(/\r?\n/).forEach((rawLine, index) => {
    const stripped = rawLine.replace(TREE_PREFIX, '').trim();
    if (stripped === '' || NON_ISSUE_LINE.test(stripped)) return;
    const parsed = parseIssueLine(rawLine, index + 1);
    if (parsed === null) {
      throw new IssuePayloadContractError(
        `${FP_PROVIDER}: line ${index + 1} of the output of ${what}: expected an issue line ${FP_ISSUE_LINE_FORMAT}, got ${JSON.stringify(snippet(rawLine))}`,
        {
          hint: 'Check that the configured command is the fp CLI and that its version prints issue lines in this format.',
        },
      );
    }
    issues.push(parsed);
  });
  return issues;
}

/** The issue line for `id` in `fp issue show` output, or null when there is none. */
export function findIssueLine(text: string, id: string): FpIssueLine | null {
  const lines = text.split(/\r?\n/);
  for (let index = 0; index < lines.length; index++) {
    const parsed = parseIssueLine(lines[index], index + 1);
    if (parsed !== null && parsed.id === id) return parsed;
  }
  return null;
}

/** The first issue id in free text (e.g. `Created issue FP-12`), or null. */
export function extractIssueId(text: string): string | null {
  return ISSUE_ID.exec(text)?.[0] ?? null;
}
