import {Args} from '@oclif/core';

import {TrackerCommand, jsonFlag} from '../../host/cli/base-command.js';
import type {IssueRelations, RelatedIssue} from '../../host/services/graph-reads.js';
import {inertLine} from '../../host/shared/terminal-text.js';

export default class TrackerShow extends TrackerCommand {
  static override summary = 'Show one cached ticket with its mappings, local edits and history (offline)';

  static override examples = [
    '<%= config.bin %> tracker show "#12"',
    '<%= config.bin %> tracker show PROJ-7 --json',
  ];

  static override args = {
    key: Args.string({
      required: true,
      description: 'the ticket: #12, PROJ-7, the provider id, or system:workspace:id',
    }),
  };

  static override flags = {...jsonFlag};

  async run(): Promise<void> {
    const {args} = await this.parse(TrackerShow);
    const {showTicket} = await import('../../host/services/cache-service.js');
    const d = await showTicket(this.runContext(), args.key);
    const t = d.ticket;
    this.showWarnings(d.warnings);
    // One-line values from the tracker escape their newlines too (the body keeps its lines).
    const text = [
      `${inertLine(t.identifier)}: ${inertLine(t.title)}`,
      `- identity: ${t.identity}`,
      `- status: ${t.status}`,
      `- type: ${t.issue_type}`,
      `- priority: ${t.priority ?? '-'}`,
      `- assignees: ${inertLine(t.assignees.join(', ')) || '-'}`,
      `- labels: ${inertLine(t.labels.join(', ')) || '-'}`,
      ...(t.url ? [`- url: ${inertLine(t.url)}`] : []),
      ...(d.parent_issue ? [`- parent: ${relatedLine(d.parent_issue)}`] : []),
      `- updated: ${t.updated_at ?? '-'}`,
      `- work packages: ${inertLine(t.work_packages.join(', ')) || '-'}`,
      ...graphLines(d),
    ];
    const edits = Object.entries(d.pending_edits);
    if (edits.length > 0) {
      text.push('Local edits (not pushed yet):');
      for (const [field, value] of edits) text.push(`  ${field}: ${JSON.stringify(value)}`);
    }
    if (d.pending_comments.length > 0) text.push(`Pending comments: ${d.pending_comments.length}`);
    const open = d.conflicts.filter((c) => c.open);
    if (open.length > 0) text.push(`Open conflicts: ${open.map((c) => c.field_name).join(', ')}`);
    if (d.body) text.push('', d.body);
    text.push('', 'History:');
    for (const h of d.history) text.push(`  ${h.at}  ${h.kind}`);
    await this.emit({json: d, text});
  }
}

/** `#12 Title (status)`; an issue the cache does not hold by its identity. */
function relatedLine(r: RelatedIssue, unknown = 'not in the cache'): string {
  if (r.title === null) return `${inertLine(r.identity)} (${r.status === 'unknown' ? unknown : r.status})`;
  return `${inertLine(r.key ?? r.identity)} ${inertLine(r.title)} (${r.status})`;
}

/** Children, blockers and blocked issues, one line each; nothing when the issue has none. */
function graphLines(d: IssueRelations): string[] {
  const lines: string[] = [];
  const {children} = d;
  if (children.issues.length > 0) {
    lines.push(`- children: ${children.done} of ${children.total} done`);
    for (const child of children.issues) lines.push(`    ${relatedLine(child)}`);
  }
  if (d.blocked_by.length > 0) {
    const open = d.blocked_by.filter((b) => b.blocking).length;
    lines.push(`- blocked by: ${open === 0 ? 'none open' : `${open} open`} of ${d.blocked_by.length}`);
    for (const blocker of d.blocked_by)
      lines.push(`    ${relatedLine(blocker, 'not in the cache: counts as open')}`);
  }
  if (d.blocks.length > 0) {
    lines.push(`- blocks: ${d.blocks.length}`);
    for (const blocked of d.blocks) lines.push(`    ${relatedLine(blocked)}`);
  }
  if (d.blocked_by.length > 0) lines.push(`- ready: ${d.ready ? 'yes' : 'no'}`);
  return lines;
}
