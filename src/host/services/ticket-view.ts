import type {CanonicalIssue, IssueField} from '../../core/model/canonical-issue.js';
import {refHandle, refIdentity} from '../../core/model/external-ref.js';
import type {WorkPackageMapping} from '../../core/protocols/mapping-store.js';
import {inertLine} from '../shared/terminal-text.js';

/**
 * One ticket as `list-tickets`, `issue-search` and `show` print it. Besides our fields it
 * carries the normalised names spec-kitty's Python tracker prints (`identifier`,
 * `external_issue_id`, `state.name`), so scripts written against that tracker keep working.
 */
export interface TicketView {
  readonly identity: string;
  readonly identifier: string;
  readonly external_issue_id: string;
  readonly key: string | null;
  readonly title: string;
  readonly status: string;
  readonly state: {readonly name: string};
  readonly issue_type: string;
  readonly priority: number | null;
  readonly assignees: readonly string[];
  readonly labels: readonly string[];
  readonly url: string | null;
  readonly created_at: string | null;
  readonly updated_at: string | null;
  /** Fields edited locally and not pushed yet. */
  readonly pending_fields: readonly IssueField[];
  /** Work packages mapped to this issue. */
  readonly work_packages: readonly string[];
}

export function ticketView(
  issue: CanonicalIssue,
  extra: {pendingFields?: readonly IssueField[]; mappings?: readonly WorkPackageMapping[]} = {},
): TicketView {
  const identity = refIdentity(issue.ref);
  return {
    identity,
    identifier: refHandle(issue.ref),
    external_issue_id: issue.ref.id,
    key: issue.ref.key,
    title: issue.title,
    status: issue.status,
    state: {name: issue.status},
    issue_type: issue.issue_type,
    priority: issue.priority,
    assignees: [...issue.assignees],
    labels: [...issue.labels],
    url: issue.ref.url,
    created_at: issue.created_at,
    updated_at: issue.updated_at,
    pending_fields: [...(extra.pendingFields ?? [])],
    work_packages: (extra.mappings ?? [])
      .filter((m) => refIdentity(m.ref) === identity)
      .map((m) => m.wp_id)
      .sort(),
  };
}

/** Left-aligned columns with two spaces between, the last column unpadded. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

export const TICKET_HEADER = ['KEY', 'STATUS', 'TYPE', 'ASSIGNEES', 'TITLE'] as const;

/**
 * One ticket's cells under `TICKET_HEADER` (a streamed listing formats them itself). Cells are
 * one line each: a tracker's newline or control character is escaped, not printed.
 */
export function ticketCells(t: TicketView): string[] {
  return [
    inertLine(t.identifier) + (t.pending_fields.length > 0 ? '*' : ''),
    t.status,
    t.issue_type,
    inertLine(t.assignees.join(',')) || '-',
    inertLine(t.title),
  ];
}

export function ticketRows(tickets: readonly TicketView[]): string[] {
  return formatTable(TICKET_HEADER, tickets.map(ticketCells));
}
