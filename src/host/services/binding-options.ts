import {GITHUB_DEFAULT_STATUS_LABELS} from '../../core/connectors/github/github-settings.js';
import {readStatusLabels} from '../../core/connectors/shared/label-status.js';
import {GITLAB_DEFAULT_STATUS_LABELS} from '../../core/connectors/gitlab/gitlab-settings.js';
import {DEFAULT_PRIORITY_NAMES, DEFAULT_STATUS_OVERRIDES} from '../../core/connectors/jira/jira-mapping.js';
import {JIRA_DEFAULT_OVERLAP_MINUTES} from '../../core/connectors/jira/jira-settings.js';
import {ConnectorConfigError} from '../../core/errors.js';
import {CANONICAL_STATUSES, isOneOf} from '../../core/model/enums.js';
import {isJsonObject, type JsonValue} from '../../core/model/json.js';
import {closestMatch} from '../shared/did-you-mean.js';
import {UsageError} from '../shared/usage-error.js';

/**
 * The connector options a binding may hold (`tracker.options` in .kittify/config.yaml), per
 * provider: their type, default and meaning. `bind` refuses any other key and any value of the
 * wrong type, so a typo or a quoted object cannot reach the config and fail every later sync;
 * `providers --json` shows them with their defaults.
 */
export type OptionType =
  'string' | 'string_or_null' | 'number' | 'boolean' | 'enum' | 'string_map' | 'string_list';

export interface OptionSpec {
  readonly key: string;
  readonly type: OptionType;
  readonly values?: readonly string[];
  /** What applies when the option is not set (null: nothing, or decided at run time). */
  readonly default: JsonValue;
  readonly description: string;
  /** The typed `bind` flag that sets it, when there is one. */
  readonly flag?: string;
}

const STATUS_LABEL_KEYS = ['in_progress', 'in_review', 'blocked', 'canceled'];

const statusLabels = (defaults: object, provider: string): OptionSpec => ({
  key: 'status_labels',
  type: 'string_map',
  default: {...defaults} as JsonValue,
  description: `labels that carry the statuses ${provider} issues lack (open/closed only): {status: label}, a null label turns one off; statuses ${STATUS_LABEL_KEYS.join(', ')}`,
  flag: '--status-label status=label',
});

const priorityPrefix: OptionSpec = {
  key: 'priority_label_prefix',
  type: 'string_or_null',
  default: 'priority: ',
  description: 'labels `<prefix>0`..`<prefix>4` carry the priority; null turns that off',
};

/** Not a connector option: read by `sync push` (an issue per mission, parent of its work packages'). */
export const missionIssuesOption: OptionSpec = {
  key: 'mission_issues',
  type: 'boolean',
  default: true,
  description:
    "one issue per mission, the parent of its work packages' issues, where the tracker has a hierarchy; false turns it off",
  flag: '--no-mission-issues',
};

export const PROVIDER_OPTIONS: Readonly<Record<string, readonly OptionSpec[]>> = Object.freeze({
  github: [statusLabels(GITHUB_DEFAULT_STATUS_LABELS, 'GitHub'), priorityPrefix, missionIssuesOption],
  gitlab: [
    missionIssuesOption,
    statusLabels(GITLAB_DEFAULT_STATUS_LABELS, 'GitLab'),
    priorityPrefix,
    {
      key: 'auth_header',
      type: 'enum',
      values: ['private-token', 'bearer'],
      default: 'private-token',
      description: 'private-token for access tokens, bearer for OAuth tokens',
    },
    {
      key: 'issue_links',
      type: 'enum',
      values: ['on', 'off'],
      default: 'on',
      description:
        'on: dependencies become issue links (blocks on Premium and up, relates to on Free) and every issue read costs one more request to read its links; off: no links written or read',
    },
  ],
  jira: [
    {
      key: 'status_map',
      type: 'string_map',
      default: {...DEFAULT_STATUS_OVERRIDES} as JsonValue,
      description: `workflow status name -> canonical status (${CANONICAL_STATUSES.join(', ')}), over the status category (new: todo, in progress: in_progress, done: done)`,
      flag: '--status-map "Status name=status"',
    },
    {
      key: 'edition',
      type: 'enum',
      values: ['cloud', 'datacenter', 'server'],
      default: null,
      description: 'cloud or datacenter; by default cloud when an email credential is set',
    },
    {
      key: 'priority_names',
      type: 'string_list',
      default: [...DEFAULT_PRIORITY_NAMES],
      description: 'the 5 priority names, highest first',
    },
    {
      key: 'issue_type_map',
      type: 'string_map',
      default: {},
      description: 'canonical issue type -> Jira issue type name',
    },
    {
      key: 'overlap_minutes',
      type: 'number',
      default: JIRA_DEFAULT_OVERLAP_MINUTES,
      description: 'minutes an incremental pull looks back (JQL compares to the minute)',
    },
    {
      key: 'time_zone',
      type: 'string',
      default: null,
      description: "the Jira user's IANA time zone, for JQL dates",
    },
    {
      key: 'epic_link_field',
      type: 'string',
      default: null,
      description: 'custom field id of the epic link (Data Center)',
    },
    missionIssuesOption,
  ],
  linear: [
    {
      // Mirrors the Linear connector's defaults.
      key: 'in_review_states',
      type: 'string_list',
      default: ['In Review', 'Review', 'Code Review'],
      description: 'workflow state names that mean in_review',
    },
    {
      key: 'blocked_states',
      type: 'string_list',
      default: ['Blocked'],
      description: 'workflow state names that mean blocked',
    },
    {
      key: 'in_review_state',
      type: 'string',
      default: null,
      description: 'one name for in_review (in_review_states wins)',
    },
    {
      key: 'blocked_state',
      type: 'string',
      default: null,
      description: 'one name for blocked (blocked_states wins)',
    },
    missionIssuesOption,
  ],
  beads: [missionIssuesOption],
  fp: [missionIssuesOption],
});

export interface TypedOptionFlags {
  /** `--option key=value` entries. */
  readonly options?: readonly string[];
  /** `--status-label status=label` entries (GitHub, GitLab). */
  readonly statusLabels?: readonly string[];
  /** `--status-map "Name=status"` entries (Jira). */
  readonly statusMap?: readonly string[];
}

/** The options to store for `provider`, from bind's flags, each checked against its spec. */
export function buildBindingOptions(provider: string, flags: TypedOptionFlags): Record<string, JsonValue> {
  const specs = PROVIDER_OPTIONS[provider] ?? [];
  const out: Record<string, JsonValue> = {};
  for (const entry of flags.options ?? []) {
    const [key, raw] = splitPair('option', entry);
    const spec = specs.find((s) => s.key === key);
    if (!spec) throw unknownOption(provider, key, specs);
    out[key] = checkValue(spec, parseValue(raw), `--option ${key}`);
  }
  if ((flags.statusLabels ?? []).length > 0) {
    if (!specs.some((s) => s.key === 'status_labels'))
      throw new UsageError(`--status-label does not apply to ${provider}.`, {
        hint:
          provider === 'jira'
            ? 'For Jira workflows use --status-map "Status name=status".'
            : typedFlagHint(specs),
      });
    out.status_labels = {...asMap(out.status_labels), ...pairs('status-label', flags.statusLabels)};
  }
  if ((flags.statusMap ?? []).length > 0) {
    if (!specs.some((s) => s.key === 'status_map'))
      throw new UsageError(`--status-map does not apply to ${provider}.`, {
        hint: specs.some((s) => s.key === 'status_labels')
          ? `For ${provider} use --status-label status=label (e.g. --status-label in_progress=in-progress).`
          : typedFlagHint(specs),
      });
    out.status_map = {...asMap(out.status_map), ...pairs('status-map', flags.statusMap)};
  }
  checkMeanings(provider, out);
  return out;
}

function typedFlagHint(specs: readonly OptionSpec[]): string {
  return specs.length === 0
    ? 'This provider takes no options.'
    : `Its options: ${specs.map((s) => s.key).join(', ')} (spec-kitty tracker providers --json shows them).`;
}

function splitPair(flag: string, entry: string): [string, string] {
  const index = entry.indexOf('=');
  const key = index < 0 ? '' : entry.slice(0, index).trim();
  if (key === '')
    throw new UsageError(`Invalid --${flag} value '${entry}'. Expected key=value.`, {
      hint: `Pass --${flag} once per pair, e.g. --${flag} ${flag === 'status-label' ? 'in_progress=in-progress' : 'name=value'}.`,
    });
  return [key, entry.slice(index + 1).trim()];
}

function pairs(flag: string, entries: readonly string[] | undefined): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  for (const entry of entries ?? []) {
    const [key, value] = splitPair(flag, entry);
    if (value === '')
      throw new UsageError(`Invalid --${flag} value '${entry}': the name after '=' is missing.`, {
        hint: `E.g. --${flag} ${flag === 'status-label' ? 'in_progress=in-progress' : '"In QA=in_review"'}; \`null\` after '=' turns one off.`,
      });
    out[key] = value === 'null' ? null : value;
  }
  return out;
}

function asMap(value: JsonValue | undefined): Record<string, JsonValue> {
  return isJsonObject(value ?? null) ? (value as Record<string, JsonValue>) : {};
}

/** `--option` values: JSON when they read as JSON (objects, lists, numbers, true/false, null), else text. */
function parseValue(raw: string): JsonValue {
  if (/^[[{"]|^(true|false|null)$|^-?\d+(\.\d+)?$/.test(raw)) {
    try {
      return JSON.parse(raw) as JsonValue;
    } catch {
      throw new UsageError(`Invalid JSON in --option value '${raw}'.`, {
        hint: `Quote the whole pair for the shell, e.g. --option 'status_labels={"in_progress":"doing"}'.`,
      });
    }
  }
  return raw;
}

function unknownOption(provider: string, key: string, specs: readonly OptionSpec[]): UsageError {
  const suggestion = closestMatch(
    key,
    specs.map((s) => s.key),
  );
  return new UsageError(`Unknown --option '${key}' for ${provider}.`, {
    hint:
      (suggestion ? `Did you mean ${suggestion}? ` : '') +
      (specs.length === 0
        ? `${provider} takes no options.`
        : `Options for ${provider}: ${specs.map((s) => s.key).join(', ')}.`),
  });
}

function checkValue(spec: OptionSpec, value: JsonValue, where: string): JsonValue {
  const wrong = (expected: string) =>
    new UsageError(`Invalid ${where}: expected ${expected}.`, {
      hint: spec.flag
        ? `Or use ${spec.flag.split(' ')[0]} (${spec.flag}).`
        : `See \`spec-kitty tracker providers --json\`.`,
    });
  switch (spec.type) {
    case 'string':
      if (typeof value !== 'string') throw wrong('a text value');
      return value;
    case 'string_or_null':
      if (typeof value !== 'string' && value !== null) throw wrong('a text value or null');
      return value;
    case 'number':
      if (typeof value !== 'number' || value < 0) throw wrong('a number >= 0');
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') throw wrong('true or false');
      return value;
    case 'enum':
      if (typeof value !== 'string' || !spec.values!.includes(value))
        throw wrong(`one of ${spec.values!.join(', ')}`);
      return value;
    case 'string_list':
      if (!Array.isArray(value) || !value.every((v) => typeof v === 'string'))
        throw wrong(`a JSON list of names, e.g. ${spec.key}=["A","B"]`);
      return value;
    case 'string_map':
      if (!isJsonObject(value) || !Object.values(value).every((v) => typeof v === 'string' || v === null))
        throw wrong(`a JSON object of names, e.g. ${spec.key}={"key":"name"}`);
      return value;
  }
}

/** What the connector would refuse at sync time, refused now: unknown statuses, a bad list. */
function checkMeanings(provider: string, options: Record<string, JsonValue>): void {
  try {
    if (options.status_labels !== undefined) readStatusLabels(options.status_labels, {}, provider);
  } catch (error) {
    if (error instanceof ConnectorConfigError)
      throw new UsageError(error.message.replace(/options\.status_labels/, '--status-label'), {
        hint: `Statuses: ${STATUS_LABEL_KEYS.join(', ')} (e.g. --status-label in_progress=in-progress).`,
      });
    throw error;
  }
  for (const [name, status] of Object.entries(asMap(options.status_map))) {
    if (typeof status !== 'string' || !isOneOf(CANONICAL_STATUSES, status))
      throw new UsageError(
        `Invalid --status-map '${name}=${String(status)}': '${String(status)}' is not a status.`,
        {
          hint: `Map a Jira status name to one of ${CANONICAL_STATUSES.join(', ')}, e.g. --status-map "In QA=in_review".`,
        },
      );
  }
  const names = options.priority_names;
  if (names !== undefined && (!Array.isArray(names) || names.length !== 5))
    throw new UsageError('Invalid --option priority_names: expected 5 names, highest first.', {
      hint: `E.g. --option 'priority_names=["Highest","High","Medium","Low","Lowest"]'.`,
    });
}
