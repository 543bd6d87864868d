import type {JsonValue} from '../../core/model/json.js';
import type {ReviewChange, ReviewIssue} from './review-explain.js';
import type {ReviewReport} from './review-service.js';

/** Issues shown openly in markdown before the rest folds into a <details> block. */
const MARKDOWN_OPEN_ISSUES = 10;
/** Changes of one issue shown openly in markdown before the rest folds. */
const MARKDOWN_OPEN_CHANGES = 8;
const VALUE_WIDTH = 60;

function value(v: JsonValue | undefined): string {
  if (v === undefined || v === null) return '(none)';
  const text =
    typeof v === 'string' ? JSON.stringify(v) : Array.isArray(v) && v.length === 0 ? '[]' : JSON.stringify(v);
  const flat = text.replace(/\\n/g, ' ');
  return flat.length > VALUE_WIDTH ? `${flat.slice(0, VALUE_WIDTH - 1)}…` : flat;
}

/** One change as a sentence. */
export function describeChange(change: ReviewChange): string {
  switch (change.kind) {
    case 'created':
      return `created as ${String(change.to)}${change.work_package ? ` for work package ${change.work_package}` : ''}`;
    case 'draft':
      return `draft created: ${value(change.to)}`;
    case 'pulled':
      return change.new
        ? `pulled (new to the cache): ${value(change.to)}`
        : `pulled ${change.field}: ${value(change.from)} → ${value(change.to)}`;
    case 'pushed':
      return `pushed ${change.field}: ${value(change.from)} → ${value(change.to)}`;
    case 'edited':
      return `edited ${change.field}: ${value(change.from)} → ${value(change.to)} (local, pending push)`;
    case 'settled':
      return `local edit of ${change.field} settled`;
    case 'deleted':
      return 'deleted on the tracker';
    case 'comment':
      return `comment ${change.sent ? 'added and sent' : 'added (pending push)'}: ${value(change.to)}`;
    case 'comment_sent':
      return `comment sent: ${value(change.to)}`;
    case 'conflict':
      return `conflict on ${change.field}: local ${value(change.local)} vs tracker ${value(change.external)} (base ${value(change.base)}); ${change.winner} won by ${change.strategy}${change.manual_review ? ', left open for manual review' : ''} → ${value(change.to)}`;
    case 'conflict_closed':
      return `conflict${change.field ? ` on ${change.field}` : ''} closed`;
    case 'mapping_added':
      return `mapped to work package ${change.work_package}`;
    case 'mapping_removed':
      return `unmapped from work package ${change.work_package}`;
  }
}

function heading(issue: ReviewIssue): string {
  const name = issue.key ?? issue.identity;
  return `${name}${issue.title ? ` ${issue.title}` : ''}${issue.work_package ? ` [${issue.work_package}]` : ''}`;
}

function summaryLine(report: ReviewReport): string {
  const s = report.summary;
  return `created ${s.created}, pulled ${s.pulled}, edited ${s.edited}, comments ${s.comments}, conflicts ${s.conflicts}, mappings +${s.mappings_added} -${s.mappings_removed}`;
}

function baseLine(report: ReviewReport): string {
  const commit = report.base.commit ? report.base.commit.slice(0, 12) : 'the empty tree';
  return `since ${commit} (${report.base.how})`;
}

export function reviewText(report: ReviewReport): string[] {
  if (report.issues.length === 0) {
    return [
      `Tracker changes ${baseLine(report)}: none (${report.segments_added.length} segment files added)`,
    ];
  }
  const lines = [
    `Tracker changes ${baseLine(report)}: ${report.issues.length} issues, ${report.events_added} events in ${report.segments_added.length} segment files`,
    `- ${summaryLine(report)}`,
  ];
  for (const issue of report.issues) {
    lines.push('', heading(issue), `  ${issue.identity}`);
    for (const change of issue.changes) lines.push(`  - ${describeChange(change)}`);
  }
  return lines;
}

function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_[\]<>|]/g, (c) => `\\${c}`);
}

function issueMarkdown(issue: ReviewIssue): string[] {
  const lines = [`- **${escapeMarkdown(heading(issue))}**`];
  const item = (change: ReviewChange) => `  - ${escapeMarkdown(describeChange(change))}`;
  const open = issue.changes.slice(0, MARKDOWN_OPEN_CHANGES);
  const rest = issue.changes.slice(MARKDOWN_OPEN_CHANGES);
  lines.push(...open.map(item));
  if (rest.length > 0) {
    lines.push(
      '  <details><summary>' + `${rest.length} more changes` + '</summary>',
      '',
      ...rest.map(item),
      '',
      '  </details>',
    );
  }
  return lines;
}

/** Markdown for a pull-request comment: a summary table, then issues, long lists folded. */
export function reviewMarkdown(report: ReviewReport): string[] {
  const s = report.summary;
  const lines = [
    '### Tracker changes in this branch',
    '',
    `${report.events_added} events in ${report.segments_added.length} segment files, ${escapeMarkdown(baseLine(report))}.`,
    '',
    '| created | pulled | edited | comments | conflicts | mappings added | mappings removed |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    `| ${s.created} | ${s.pulled} | ${s.edited} | ${s.comments} | ${s.conflicts} | ${s.mappings_added} | ${s.mappings_removed} |`,
  ];
  if (report.issues.length === 0) return [...lines, '', 'No tracker changes.'];
  const open = report.issues.slice(0, MARKDOWN_OPEN_ISSUES);
  const rest = report.issues.slice(MARKDOWN_OPEN_ISSUES);
  lines.push('', ...open.flatMap(issueMarkdown));
  if (rest.length > 0) {
    lines.push(
      '',
      `<details><summary>${rest.length} more issues</summary>`,
      '',
      ...rest.flatMap(issueMarkdown),
      '',
      '</details>',
    );
  }
  return lines;
}
