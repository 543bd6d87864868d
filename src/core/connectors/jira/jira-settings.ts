import {ConnectorConfigError} from '../../errors.js';
import {CANONICAL_STATUSES, isOneOf, type CanonicalStatus} from '../../model/enums.js';
import {isJsonObject, type JsonValue} from '../../model/json.js';
import type {ConnectorConfig} from '../../protocols/connector.js';
import {DEFAULT_PRIORITY_NAMES, buildStatusOverrides, type StatusOverrides} from './jira-mapping.js';
import {isValidTimeZone} from './jql.js';

export type JiraEdition = 'cloud' | 'datacenter';

/** Everything the Jira connector needs, validated once from the binding and credentials. */
export interface JiraSettings {
  readonly edition: JiraEdition;
  /** Site root without the API path (`https://acme.atlassian.net`). */
  readonly siteUrl: string;
  /** `/rest/api/3` on Cloud, `/rest/api/2` on Data Center. */
  readonly apiRoot: string;
  readonly projectKey: string;
  readonly authorization: string;
  /** The bare secrets, kept out of every message. */
  readonly secrets: readonly string[];
  readonly statusOverrides: StatusOverrides;
  readonly priorityNames: readonly string[];
  readonly issueTypeNames: Readonly<Record<string, string>>;
  /** Minutes subtracted from `updated_since` before it becomes a minute-precision JQL date. */
  readonly overlapMinutes: number;
  /** IANA zone for JQL dates; null: ask Jira for the user's zone (`GET myself`). */
  readonly timeZone: string | null;
  /** Data Center's "Epic Link" custom field id (e.g. `customfield_10008`), if parents go there. */
  readonly epicLinkField: string | null;
  readonly idempotencyLabelPrefix: string;
  readonly maxPageSize: number;
}

export const JIRA_DEFAULT_OVERLAP_MINUTES = 2;
export const JIRA_IDEMPOTENCY_LABEL_PREFIX = 'sk-';

/**
 * Options (binding, non-secret): `edition` (`cloud`|`datacenter`), `status_map` ({"In QA":
 * "in_review"}), `priority_names` (5 names, highest first), `issue_type_map` ({"chore":
 * "Task"}), `overlap_minutes`, `time_zone`, `epic_link_field`. Credentials: `token`, plus
 * `email` for Cloud. Without `edition`, an email means Cloud (Basic email:token), none means
 * Data Center (Bearer personal access token).
 */
export function parseJiraSettings(config: ConnectorConfig): JiraSettings {
  const options = config.options;
  const token = (config.credentials.token ?? config.credentials.api_token ?? '').trim();
  const email = (config.credentials.email ?? '').trim();
  const projectKey = config.workspace.trim();
  if (projectKey === '') {
    throw new ConnectorConfigError('Jira needs a project key as the workspace.', {
      hint: 'Bind with --workspace PROJ (the key shown in issue keys like PROJ-12).',
    });
  }
  if (token === '') {
    throw new ConnectorConfigError('Jira needs a token (credential `token`).', {
      hint: 'Jira Cloud: an API token plus your account email (JIRA_EMAIL, JIRA_API_TOKEN). Jira Data Center: a personal access token (JIRA_API_TOKEN).',
    });
  }
  const editionOption = stringOption(options.edition, 'edition');
  let edition: JiraEdition;
  if (editionOption === null) edition = email !== '' ? 'cloud' : 'datacenter';
  else if (editionOption === 'cloud' || editionOption === 'datacenter' || editionOption === 'server')
    edition = editionOption === 'cloud' ? 'cloud' : 'datacenter';
  else
    throw new ConnectorConfigError(
      `Jira option edition must be 'cloud' or 'datacenter', not '${editionOption}'.`,
    );
  if (edition === 'cloud' && email === '') {
    throw new ConnectorConfigError(
      'Jira Cloud needs the account email with the API token (credential `email`).',
      {
        hint: 'Set JIRA_EMAIL, or use edition "datacenter" with a personal access token.',
      },
    );
  }
  const serverUrl = (config.serverUrl ?? '').trim().replace(/\/+$/, '');
  if (serverUrl === '') {
    throw new ConnectorConfigError('Jira needs the site URL (--server-url).', {
      hint:
        edition === 'cloud'
          ? 'For example --server-url https://your-site.atlassian.net'
          : 'For example --server-url https://jira.example.com',
    });
  }
  if (!/^https?:\/\//i.test(serverUrl))
    throw new ConnectorConfigError(`Jira server URL '${serverUrl}' must start with https:// (or http://).`);
  const siteUrl = serverUrl.replace(/\/rest\/api\/\d+$/, '');

  const authorization = edition === 'cloud' ? `Basic ${base64Utf8(`${email}:${token}`)}` : `Bearer ${token}`;
  const timeZone = stringOption(options.time_zone, 'time_zone');
  if (timeZone !== null && !isValidTimeZone(timeZone)) {
    throw new ConnectorConfigError(`Jira option time_zone '${timeZone}' is not a known IANA time zone.`, {
      hint: 'For example "Europe/Berlin" or "America/New_York".',
    });
  }
  const overlap = options.overlap_minutes ?? JIRA_DEFAULT_OVERLAP_MINUTES;
  if (typeof overlap !== 'number' || !Number.isFinite(overlap) || overlap < 0) {
    throw new ConnectorConfigError('Jira option overlap_minutes must be a number of minutes >= 0.');
  }
  return {
    edition,
    siteUrl,
    apiRoot: edition === 'cloud' ? '/rest/api/3' : '/rest/api/2',
    projectKey,
    authorization,
    secrets: [token, authorization.split(' ')[1]],
    statusOverrides: buildStatusOverrides(statusMapOption(options.status_map)),
    priorityNames: priorityNamesOption(options.priority_names),
    issueTypeNames: stringMapOption(options.issue_type_map, 'issue_type_map'),
    overlapMinutes: overlap,
    timeZone,
    epicLinkField: stringOption(options.epic_link_field, 'epic_link_field'),
    idempotencyLabelPrefix: JIRA_IDEMPOTENCY_LABEL_PREFIX,
    maxPageSize: 100,
  };
}

function stringOption(value: JsonValue | undefined, name: string): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string') throw new ConnectorConfigError(`Jira option ${name} must be a string.`);
  return value.trim();
}

function stringMapOption(value: JsonValue | undefined, name: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isJsonObject(value)) throw new ConnectorConfigError(`Jira option ${name} must be an object of names.`);
  const out: Record<string, string> = {};
  for (const [key, item] of Object.entries(value)) {
    if (typeof item !== 'string')
      throw new ConnectorConfigError(`Jira option ${name}.${key} must be a string.`);
    out[key] = item;
  }
  return out;
}

function statusMapOption(value: JsonValue | undefined): Record<string, CanonicalStatus> {
  const names = stringMapOption(value, 'status_map');
  for (const [name, status] of Object.entries(names)) {
    if (!isOneOf(CANONICAL_STATUSES, status)) {
      throw new ConnectorConfigError(
        `Jira option status_map maps '${name}' to '${status}', which is not a canonical status.`,
        {
          hint: `Use one of ${CANONICAL_STATUSES.join(', ')}.`,
        },
      );
    }
  }
  return names as Record<string, CanonicalStatus>;
}

function priorityNamesOption(value: JsonValue | undefined): readonly string[] {
  if (value === undefined || value === null) return DEFAULT_PRIORITY_NAMES;
  if (
    !Array.isArray(value) ||
    value.length !== 5 ||
    !value.every((v) => typeof v === 'string' && v.trim() !== '')
  ) {
    throw new ConnectorConfigError('Jira option priority_names must list 5 priority names, highest first.', {
      hint: 'For example ["Highest","High","Medium","Low","Lowest"].',
    });
  }
  return value as string[];
}

function base64Utf8(text: string): string {
  return btoa(String.fromCharCode(...new TextEncoder().encode(text)));
}
