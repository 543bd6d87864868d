/**
 * Statuses between "open" and "closed" expressed as labels, for trackers (GitHub, GitLab)
 * whose issues are only open or closed. The label names are configurable per binding through
 * `options.status_labels`, e.g. `{"in_progress": "doing", "in_review": "review"}`.
 */
import {ConnectorConfigError} from '../../errors.js';
import type {CanonicalStatus} from '../../model/enums.js';
import {isJsonObject, type JsonValue} from '../../model/json.js';

export type LabelStatus = Exclude<CanonicalStatus, 'todo' | 'done'> | 'canceled';

/** Canonical status -> label name. Only the statuses present are expressed through labels. */
export type StatusLabels = Partial<Record<LabelStatus, string>>;

/** When several status labels are present, the first in this order wins. */
const PRECEDENCE: readonly LabelStatus[] = ['blocked', 'in_review', 'in_progress', 'canceled'];

export function readStatusLabels(
  value: JsonValue | undefined,
  defaults: StatusLabels,
  provider: string,
): StatusLabels {
  if (value === undefined || value === null) return defaults;
  if (!isJsonObject(value))
    throw new ConnectorConfigError(
      `${provider}: options.status_labels must be an object mapping a status to a label name.`,
      {
        hint: 'Bind again with --status-label status=label (e.g. --status-label in_progress=in-progress), or fix tracker.options.status_labels in .kittify/config.yaml.',
      },
    );
  const out: StatusLabels = {...defaults};
  for (const [status, label] of Object.entries(value)) {
    if (!(PRECEDENCE as readonly string[]).includes(status)) {
      throw new ConnectorConfigError(
        `${provider}: options.status_labels has unknown status '${status}'; expected ${PRECEDENCE.join(', ')}.`,
      );
    }
    if (label === null) delete out[status as LabelStatus];
    else if (typeof label === 'string' && label.trim() !== '') out[status as LabelStatus] = label.trim();
    else
      throw new ConnectorConfigError(
        `${provider}: options.status_labels.${status} must be a label name or null.`,
      );
  }
  return out;
}

/** The label-expressed status among `labels`, or null. Label comparison ignores case. */
export function statusFromLabels(labels: readonly string[], statusLabels: StatusLabels): LabelStatus | null {
  const lower = new Set(labels.map((l) => l.toLowerCase()));
  for (const status of PRECEDENCE) {
    const label = statusLabels[status];
    if (label && lower.has(label.toLowerCase())) return status;
  }
  return null;
}

export function isStatusLabel(label: string, statusLabels: StatusLabels): boolean {
  const lower = label.toLowerCase();
  return Object.values(statusLabels).some((l) => l !== undefined && l.toLowerCase() === lower);
}

/** A priority label `<prefix><0-4>` (e.g. `priority: 1`) -> 0..4, else null. */
export function priorityFromLabel(label: string, prefix: string | null): number | null {
  if (prefix === null || !label.toLowerCase().startsWith(prefix.toLowerCase())) return null;
  const rest = label.slice(prefix.length).trim();
  return /^[0-4]$/.test(rest) ? Number(rest) : null;
}

/**
 * The label set the tracker should hold: the canonical labels plus the status label for `status`
 * and the priority label for `priority`, keeping labels the canonical model does not see.
 */
export function composeLabels(
  canonicalLabels: readonly string[],
  status: CanonicalStatus,
  priority: number | null,
  settings: {readonly statusLabels: StatusLabels; readonly priorityLabelPrefix: string | null},
): string[] {
  const out = canonicalLabels.filter(
    (l) =>
      !isStatusLabel(l, settings.statusLabels) && priorityFromLabel(l, settings.priorityLabelPrefix) === null,
  );
  const statusLabel = status === 'todo' || status === 'done' ? undefined : settings.statusLabels[status];
  if (statusLabel) out.push(statusLabel);
  if (priority !== null && settings.priorityLabelPrefix !== null)
    out.push(`${settings.priorityLabelPrefix}${priority}`);
  return [...new Set(out)].sort();
}
