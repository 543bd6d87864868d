import {CapabilityNotSupportedError, IssuePayloadContractError, ValidationError} from '../../errors.js';
import {
  createIssue,
  type CanonicalIssue,
  type CanonicalLink,
  type IssuePatch,
} from '../../model/canonical-issue.js';
import type {LinkType} from '../../model/enums.js';
import {createRef, type ExternalRef} from '../../model/external-ref.js';
import {isJsonObject, type JsonObject, type JsonValue} from '../../model/json.js';
import {adfToText, textToAdf} from './adf.js';
import {
  canonicalPriorityToJira,
  canonicalTypeToJira,
  jiraPriorityToCanonical,
  jiraStatusToCanonical,
  jiraTypeToCanonical,
  type JiraStatus,
} from './jira-mapping.js';
import type {JiraSettings} from './jira-settings.js';
import {textToWiki, wikiToText} from './wiki-text.js';

/** The fields every read asks for (Cloud's `/search/jql` returns ids only unless told). */
export function jiraReadFields(settings: JiraSettings): string[] {
  const fields = [
    'summary',
    'description',
    'status',
    'issuetype',
    'priority',
    'labels',
    'assignee',
    'parent',
    'issuelinks',
    'created',
    'updated',
  ];
  if (settings.epicLinkField) fields.push(settings.epicLinkField);
  return fields;
}

/** Keys look like `PROJ-12`; the project key is the workspace of refs to other issues. */
export function projectOfKey(key: string, fallback: string): string {
  const dash = key.lastIndexOf('-');
  return dash > 0 ? key.slice(0, dash) : fallback;
}

export function jiraIssueRef(settings: JiraSettings, id: string, key: string | null): ExternalRef {
  return createRef({
    system: 'jira',
    workspace: key ? projectOfKey(key, settings.projectKey) : settings.projectKey,
    id,
    key,
    url: key ? `${settings.siteUrl}/browse/${key}` : null,
  });
}

export function readStatus(value: JsonValue | undefined): JiraStatus | null {
  if (!isJsonObject(value)) return null;
  const category =
    isJsonObject(value.statusCategory) && typeof value.statusCategory.key === 'string'
      ? value.statusCategory.key
      : 'undefined';
  return {id: String(value.id ?? value.name ?? ''), name: String(value.name ?? ''), category};
}

/** Jira timestamps are `2026-01-05T10:00:00.000+0100`; `Date.parse` wants `+01:00`. */
export function parseJiraTimestamp(value: JsonValue | undefined): string | null {
  if (typeof value !== 'string' || value === '') return null;
  const normalised = value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  const ms = Date.parse(normalised);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

/** The markers the connector adds (`sk-…` labels) are not user labels: hidden on read. */
export function isMarkerLabel(label: string, settings: JiraSettings): boolean {
  return label.startsWith(settings.idempotencyLabelPrefix);
}

export function idempotencyLabel(key: string, settings: JiraSettings): string {
  // Jira labels cannot contain spaces.
  return `${settings.idempotencyLabelPrefix}${key.trim().replace(/\s+/g, '_')}`;
}

/**
 * A Jira issue payload -> canonical issue. `epicIds` resolves Data Center epic-link keys
 * (the field holds only a key) to issue ids.
 */
export function jiraIssueToCanonical(
  raw: JsonValue,
  settings: JiraSettings,
  epicIds: ReadonlyMap<string, string> = new Map(),
): CanonicalIssue {
  if (!isJsonObject(raw) || raw.id === undefined || !isJsonObject(raw.fields)) {
    throw new IssuePayloadContractError(
      'Jira returned an issue without id or fields; is the server URL a Jira REST API?',
    );
  }
  const fields = raw.fields;
  const id = String(raw.id);
  const key = typeof raw.key === 'string' ? raw.key : null;
  const status = readStatus(fields.status);
  const labels = Array.isArray(fields.labels)
    ? fields.labels.filter((l): l is string => typeof l === 'string' && !isMarkerLabel(l, settings))
    : [];
  const assignee = isJsonObject(fields.assignee)
    ? settings.edition === 'cloud'
      ? fields.assignee.accountId
      : (fields.assignee.name ?? fields.assignee.key)
    : null;
  const body =
    settings.edition === 'cloud'
      ? adfToText(fields.description)
      : wikiToText(typeof fields.description === 'string' ? fields.description : null);
  return createIssue({
    ref: jiraIssueRef(settings, id, key),
    title: typeof fields.summary === 'string' && fields.summary.trim() !== '' ? fields.summary : (key ?? id),
    body: body === '' ? null : body,
    status: status ? jiraStatusToCanonical(status, settings.statusOverrides) : 'todo',
    issue_type: jiraTypeToCanonical(
      isJsonObject(fields.issuetype)
        ? {name: String(fields.issuetype.name ?? ''), subtask: fields.issuetype.subtask === true}
        : null,
    ),
    priority: jiraPriorityToCanonical(
      isJsonObject(fields.priority) ? String(fields.priority.name ?? '') : null,
      settings.priorityNames,
    ),
    assignees: typeof assignee === 'string' ? [assignee] : [],
    labels,
    parent: readParent(fields, settings, epicIds),
    links: readLinks(fields.issuelinks, settings),
    custom_fields: {},
    created_at: parseJiraTimestamp(fields.created),
    updated_at: parseJiraTimestamp(fields.updated),
    raw,
  });
}

function readParent(
  fields: JsonObject,
  settings: JiraSettings,
  epicIds: ReadonlyMap<string, string>,
): ExternalRef | null {
  if (isJsonObject(fields.parent) && fields.parent.id !== undefined) {
    return jiraIssueRef(
      settings,
      String(fields.parent.id),
      typeof fields.parent.key === 'string' ? fields.parent.key : null,
    );
  }
  const epicKey = settings.epicLinkField ? fields[settings.epicLinkField] : undefined;
  if (typeof epicKey === 'string' && epicKey !== '') {
    const epicId = epicIds.get(epicKey);
    if (epicId) return jiraIssueRef(settings, epicId, epicKey);
  }
  return null;
}

/**
 * `issuelinks[]` entries carry the other issue as `outwardIssue` (this issue <outward verb> it,
 * e.g. "blocks") or `inwardIssue` (this issue <inward verb> it, e.g. "is blocked by"), per
 * Atlassian's "Jira issue linking model" guide. Blocks/Duplicate keep their direction; every
 * other type (Relates, Cloners, custom ones) reads as relates_to.
 */
function readLinks(value: JsonValue | undefined, settings: JiraSettings): CanonicalLink[] {
  if (!Array.isArray(value)) return [];
  const links: CanonicalLink[] = [];
  for (const link of value) {
    if (!isJsonObject(link) || !isJsonObject(link.type)) continue;
    const outward = isJsonObject(link.outwardIssue) ? link.outwardIssue : null;
    const other = outward ?? (isJsonObject(link.inwardIssue) ? link.inwardIssue : null);
    if (!other || other.id === undefined) continue;
    const name = String(link.type.name ?? '').toLowerCase();
    let type: LinkType = 'relates_to';
    if (name === 'blocks') type = outward ? 'blocks' : 'blocked_by';
    else if (name === 'duplicate' && outward) type = 'duplicates';
    links.push({
      type,
      target: jiraIssueRef(settings, String(other.id), typeof other.key === 'string' ? other.key : null),
    });
  }
  return links;
}

/** Canonical link type -> the Jira link type name and whether this issue is the link's source. */
export function canonicalLinkToJira(type: LinkType): {name: string; thisIsSource: boolean} | null {
  switch (type) {
    case 'blocks':
      return {name: 'Blocks', thisIsSource: true};
    case 'blocked_by':
      return {name: 'Blocks', thisIsSource: false};
    case 'duplicates':
      return {name: 'Duplicate', thisIsSource: true};
    case 'relates_to':
      return {name: 'Relates', thisIsSource: true};
    default:
      // parent_of / child_of are hierarchy: written through `parent`, not as links.
      return null;
  }
}

export interface FieldWriteContext {
  readonly settings: JiraSettings;
  readonly creating: boolean;
  /** Labels to keep whatever the patch says (the idempotency marker). */
  readonly keepLabels: readonly string[];
  /** The issue type after the write (sub-tasks take their parent differently on Data Center). */
  readonly issueType: string;
}

/** A canonical patch -> Jira `fields` for `POST/PUT /issue`. Status and links go elsewhere. */
export function patchToJiraFields(patch: IssuePatch, context: FieldWriteContext): JsonObject {
  const {settings} = context;
  const fields: JsonObject = {};
  if (patch.title !== undefined) fields.summary = patch.title;
  if (patch.body !== undefined) {
    fields.description =
      patch.body === null
        ? null
        : settings.edition === 'cloud'
          ? textToAdf(patch.body)
          : textToWiki(patch.body);
  }
  if (patch.issue_type !== undefined)
    fields.issuetype = {
      name: canonicalTypeToJira(patch.issue_type, settings.edition, settings.issueTypeNames),
    };
  if (patch.priority !== undefined) {
    const name = canonicalPriorityToJira(patch.priority, settings.priorityNames);
    if (name !== null) fields.priority = {name};
    else if (!context.creating) fields.priority = null;
  }
  if (patch.assignees !== undefined) {
    if (patch.assignees.length > 1) {
      throw new ValidationError(
        'assignees',
        `Jira issues have a single assignee; got ${patch.assignees.length} (${patch.assignees.join(', ')})`,
        {
          hint: 'Keep one assignee for issues synced with Jira.',
        },
      );
    }
    const who = patch.assignees[0];
    fields.assignee =
      who === undefined ? null : settings.edition === 'cloud' ? {accountId: who} : {name: who};
  }
  if (patch.labels !== undefined) {
    const invalid = patch.labels.find((label) => /\s/.test(label));
    if (invalid !== undefined)
      throw new ValidationError('labels', `Jira labels cannot contain spaces: '${invalid}'`);
    fields.labels = [...new Set([...patch.labels, ...context.keepLabels])].sort();
  }
  if (patch.parent !== undefined) Object.assign(fields, parentFields(patch.parent, context));
  return fields;
}

function parentFields(parent: ExternalRef | null, context: FieldWriteContext): JsonObject {
  const {settings} = context;
  if (settings.edition === 'cloud') {
    // Cloud has one `parent` field for sub-tasks and for epic children alike.
    if (parent === null) return context.creating ? {} : {parent: null};
    return {parent: {id: parent.id}};
  }
  const isSubtask = /sub-?task/i.test(context.issueType);
  if (isSubtask && context.creating) return parent === null ? {} : {parent: {id: parent.id}};
  if (settings.epicLinkField) {
    if (parent !== null && !parent.key)
      throw new ValidationError('parent', 'Jira Data Center epic links need the epic issue key');
    if (parent === null) return context.creating ? {} : {[settings.epicLinkField]: null};
    return {[settings.epicLinkField]: parent.key};
  }
  if (parent === null && context.creating) return {};
  throw new CapabilityNotSupportedError(
    'jira',
    'setting a parent on Data Center without the epic_link_field option',
    {
      hint: 'Set the binding option epic_link_field to the "Epic Link" custom field id (for example customfield_10008).',
    },
  );
}
