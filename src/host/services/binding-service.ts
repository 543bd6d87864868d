import {ConnectorConfigError, ValidationError} from '../../core/errors.js';
import {
  PROVIDERS,
  requireProvider,
  type ProviderDescriptor,
  type RelationSupport,
} from '../../core/connectors/registry.js';
import {OWNERSHIP_MODES} from '../../core/model/enums.js';
import type {JsonValue} from '../../core/model/json.js';
import {createOwnershipPolicy, type OwnershipPolicy} from '../../core/policy/ownership.js';
import type {ConnectorCapabilities} from '../../core/protocols/connector.js';
import {UsageError} from '../shared/usage-error.js';
import {
  clearProviderCredentials,
  credentialsPath,
  readProviderCredentials,
  writeProviderCredentials,
} from '../config/credentials.js';
import {registerSecret} from '../shared/secret-mask.js';
import {approveServer, checkServerUrl, normaliseServerUrl} from '../config/server-approval.js';
import {clearTrackerBinding, writeTrackerBinding} from '../config/tracker-config.js';
import {buildBindingOptions, PROVIDER_OPTIONS, type OptionSpec} from './binding-options.js';
import {parseKeyValues} from './key-value.js';
import {egressLabel} from './cache-service.js';
import {loadBoundProject, loadProject, type ServiceEnvironment} from './service-context.js';

export interface BindRequest {
  readonly provider: string;
  readonly workspace: string;
  readonly serverUrl?: string;
  readonly doctrineMode?: string;
  /** Raw `field=owner` entries. */
  readonly fieldOwners?: readonly string[];
  /** Raw `key=value` entries, stored machine-globally, never in the project. */
  readonly credentials?: readonly string[];
  /** Raw `key=value` connector options, stored in the binding. */
  readonly options?: readonly string[];
  /** Raw `status=label` entries (`--status-label`, GitHub and GitLab). */
  readonly statusLabels?: readonly string[];
  /** Raw `Jira status name=status` entries (`--status-map`). */
  readonly statusMap?: readonly string[];
}

export interface BindResult {
  readonly provider: string;
  readonly workspace: string;
  readonly server_url: string | null;
  readonly doctrine_mode: string;
  readonly field_owners: Record<string, string>;
  readonly options: Record<string, JsonValue>;
  readonly egress: string;
  readonly config_path: string;
  readonly credentials_saved: boolean;
  /** Credential keys saved (never values). */
  readonly credential_keys: string[];
  readonly credentials_path: string | null;
  /**
   * Where this machine records that the provider's credentials may go to `server_url` (null for
   * the provider's cloud, and for local providers).
   */
  readonly server_approved_in: string | null;
}

function usage(error: unknown): never {
  if (error instanceof ValidationError || error instanceof ConnectorConfigError) {
    throw new UsageError(error.message.charAt(0).toUpperCase() + error.message.slice(1), {hint: error.hint});
  }
  throw error;
}

function hasControlCharacter(value: string): boolean {
  return [...value].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f);
}

function validateWorkspace(descriptor: ProviderDescriptor, workspace: string): string {
  const value = workspace.trim();
  if (value === '' || hasControlCharacter(value)) {
    throw new UsageError(`Invalid --workspace '${workspace}'.`, {
      hint: `For ${descriptor.name} the workspace is ${descriptor.workspaceHint}.`,
    });
  }
  if (descriptor.name === 'github' && !/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(value)) {
    throw new UsageError(`Invalid --workspace '${value}' for github.`, {
      hint: `Expected ${descriptor.workspaceHint}, e.g. acme/app.`,
    });
  }
  return value;
}

function validateServerUrl(raw: string | undefined): string | null {
  if (raw === undefined || raw.trim() === '') return null;
  const checked = checkServerUrl(raw);
  if ('url' in checked) return checked.url;
  switch (checked.problem) {
    case 'not_a_url':
      throw new UsageError(`Invalid --server-url '${raw}': not a URL.`, {
        hint: 'Pass the base URL, e.g. https://jira.example.com.',
      });
    case 'scheme':
      throw new UsageError(`Invalid --server-url '${raw}': expected http(s).`, {
        hint: 'Pass the base URL, e.g. https://jira.example.com.',
      });
    case 'credentials':
      throw new UsageError('Invalid --server-url: it must not contain credentials.', {
        hint: 'Pass credentials with --credential or environment variables.',
      });
    case 'plain_http':
      throw new UsageError(
        `Invalid --server-url '${raw}': plain http:// is only allowed for a loopback host (127.0.0.1, localhost, [::1]); your credentials would cross the network unencrypted.`,
        {hint: `Use https://, e.g. --server-url ${raw.trim().replace(/^http:/i, 'https:')}.`},
      );
  }
}

/**
 * Refuses a `.kittify` (or `config.yaml`) that is a symbolic link, as the tracker log's readers
 * and writers do: the write would land outside the repository.
 */
async function refuseLinkedConfig(location: {root: string; configPath: string}): Promise<void> {
  const {assertNoSymlinks} = await import('../fs/safe-fs.js');
  await assertNoSymlinks(location.root, location.configPath);
}

/**
 * Binds the project to a tracker: validates everything first (nothing is written on a bad
 * value), stores credentials machine-globally (merged into the provider's table), writes the
 * binding, and records egress consent as `permitted` unless a value is already recorded (a
 * recorded `refused` is kept and honoured). A hosted provider's `--server-url` is approved on
 * this machine for that provider's credentials (`server-approval.ts`); re-binding with the same
 * values writes nothing anywhere.
 */
export async function bindTracker(
  environment: ServiceEnvironment,
  request: BindRequest,
): Promise<BindResult> {
  const {location} = await loadProject(environment);
  await refuseLinkedConfig(location);
  const checked = checkBindRequest(request);
  const {descriptor, workspace, serverUrl, policy, credentials, options} = checked;
  let credentialsFile: string | null = null;
  if (Object.keys(credentials).length > 0) {
    const merged = {...readProviderCredentials(descriptor.name, environment.env), ...credentials};
    credentialsFile = await writeProviderCredentials(descriptor.name, merged, environment.env);
  }
  const binding = writeTrackerBinding(
    location.configPath,
    {
      provider: descriptor.name,
      workspace,
      serverUrl,
      doctrineMode: policy.mode,
      fieldOwners: {...policy.fieldOwners} as Record<string, string>,
      options,
      egressIfAbsent: 'permitted',
    },
    location.root,
  );
  return {
    provider: descriptor.name,
    workspace,
    server_url: serverUrl,
    doctrine_mode: policy.mode,
    field_owners: {...binding.doctrine.fieldOwners},
    options,
    egress: egressLabel(binding.egress),
    config_path: location.configPath,
    credentials_saved: credentialsFile !== null,
    credential_keys: Object.keys(credentials).sort(),
    credentials_path: credentialsFile,
    server_approved_in: await approveBoundServer(checked, environment),
  };
}

/** A bind request with every value checked: nothing is written before this exists. */
type CheckedBinding = ReturnType<typeof checkBindRequest>;

function checkBindRequest(request: BindRequest) {
  let descriptor: ProviderDescriptor;
  try {
    descriptor = requireProvider(request.provider);
  } catch (error) {
    usage(error);
  }
  const workspace = validateWorkspace(descriptor, request.workspace);
  const serverUrl = validateServerUrl(request.serverUrl);
  const policy = checkOwnership(request);
  const credentials = checkCredentials(descriptor, request.credentials);
  const options = buildBindingOptions(descriptor.name, {
    options: request.options,
    statusLabels: request.statusLabels,
    statusMap: request.statusMap,
  });
  return {descriptor, workspace, serverUrl, policy, credentials, options};
}

function checkOwnership(request: BindRequest): OwnershipPolicy {
  const fieldOwners = parseKeyValues('field-owner', request.fieldOwners);
  const mode = request.doctrineMode?.trim().toLowerCase() || 'external_authoritative';
  try {
    return createOwnershipPolicy(mode, fieldOwners);
  } catch (error) {
    if (error instanceof ValidationError && error.field === 'doctrine.mode') {
      throw new UsageError(`Invalid --doctrine-mode '${request.doctrineMode}'.`, {
        hint: `Expected one of: ${OWNERSHIP_MODES.join(', ')}.`,
      });
    }
    usage(error);
  }
}

/** Only the provider's credential keys; secret values are masked in any output from here on. */
function checkCredentials(
  descriptor: ProviderDescriptor,
  entries: readonly string[] | undefined,
): Record<string, string> {
  const credentials = parseKeyValues('credential', entries);
  const known = descriptor.credentials.map((spec) => spec.key);
  for (const key of Object.keys(credentials)) {
    if (!known.includes(key)) {
      throw new UsageError(`Unknown --credential key '${key}' for ${descriptor.name}.`, {
        hint: `Expected one of: ${known.join(', ')}.`,
      });
    }
  }
  for (const spec of descriptor.credentials) if (spec.secret) registerSecret(credentials[spec.key]);
  return credentials;
}

/**
 * The credentials of a hosted provider go only to servers approved on this machine (the binding
 * itself is committed and could be changed by anyone): binding here approves this one. Returns
 * where the approval is recorded, or null (the provider's cloud, a local provider).
 */
async function approveBoundServer(
  checked: CheckedBinding,
  environment: ServiceEnvironment,
): Promise<string | null> {
  const {descriptor, serverUrl} = checked;
  if (descriptor.kind !== 'hosted' || serverUrl === null) return null;
  const cloud = descriptor.defaultServerUrl === null ? null : normaliseServerUrl(descriptor.defaultServerUrl);
  if (serverUrl === cloud) return null;
  return (await approveServer(descriptor.name, serverUrl, environment.env)).path;
}

export interface UnbindResult {
  readonly provider: string;
  readonly workspace: string;
  readonly egress_kept: string | null;
  readonly credentials_removed: boolean;
  /** The binding's cache folder, left in place (relative to the repository root); null when none. */
  readonly cache_dir_kept: string | null;
}

/**
 * Removes the binding. Credentials are machine-global and may serve other projects, so they
 * stay unless `forgetCredentials` is asked for; a recorded egress value stays too.
 */
export async function unbindTracker(
  environment: ServiceEnvironment,
  options: {forgetCredentials?: boolean} = {},
): Promise<UnbindResult> {
  const {location, binding} = await loadBoundProject(environment);
  await refuseLinkedConfig(location);
  const after = clearTrackerBinding(location.configPath, location.root);
  const removed = options.forgetCredentials
    ? await clearProviderCredentials(binding.provider, environment.env)
    : false;
  return {
    provider: binding.provider,
    workspace: binding.workspace,
    egress_kept: after.egress.state === 'absent' ? null : egressLabel(after.egress),
    credentials_removed: removed,
    cache_dir_kept: await keptCacheDir(location.root, binding),
  };
}

/**
 * The folder of the binding's tracker cache, which unbind leaves: its events are committed
 * history, and binding the same tracker again picks it up where it was.
 */
async function keptCacheDir(
  root: string,
  binding: {provider: string; serverUrl: string | null; workspace: string},
): Promise<string | null> {
  const {existingScopeDir} = await import('../storage/scope.js');
  return existingScopeDir(root, {...binding, serverUrl: binding.serverUrl ?? ''});
}

export interface ProviderInfoView {
  readonly name: string;
  readonly display_name: string;
  readonly kind: 'hosted' | 'local';
  readonly workspace: string;
  readonly default_server_url: string | null;
  readonly credentials: {
    key: string;
    env: string | null;
    required: boolean;
    secret: boolean;
    description: string;
  }[];
  /** What the connector can do; null when this build has no working connector for it. */
  readonly capabilities: ConnectorCapabilities | null;
  /** How the tracker holds dependencies and parents; null when not described. */
  readonly relations: RelationSupport | null;
  /** The options a binding may set (`bind --option`, typed flags), with their defaults. */
  readonly options: readonly OptionSpec[];
}

/** The supported providers and their capabilities (loads each connector module: not on a hot path). */
export async function listProviders(): Promise<ProviderInfoView[]> {
  return Promise.all(
    PROVIDERS.map(async (descriptor) => {
      let capabilities: ConnectorCapabilities | null = null;
      let relations: RelationSupport | null = null;
      try {
        const module = await descriptor.load();
        capabilities = module.capabilities;
        relations = module.relations ?? null;
      } catch {
        capabilities = null;
      }
      return {
        name: descriptor.name,
        display_name: descriptor.displayName,
        kind: descriptor.kind,
        workspace: descriptor.workspaceHint,
        default_server_url: descriptor.defaultServerUrl,
        credentials: descriptor.credentials.map((spec) => ({...spec})),
        capabilities,
        relations,
        options: PROVIDER_OPTIONS[descriptor.name] ?? [],
      };
    }),
  );
}

export {credentialsPath};
