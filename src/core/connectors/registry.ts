import {ConnectorConfigError} from '../errors.js';
import {PROVIDER_NAMES, type ConnectorModule, type ProviderName} from './connector-module.js';

export {PROVIDER_NAMES} from './connector-module.js';
export type {ConnectorModule, ProviderName, RelationNote, RelationSupport} from './connector-module.js';

export interface CredentialSpec {
  /** Key in the credentials file table and in `--credential key=value`. */
  readonly key: string;
  /** Environment variable that overrides the file (checked first). */
  readonly env: string | null;
  readonly required: boolean;
  /** Secret values are masked whenever shown and never written under `.kittify/`. */
  readonly secret: boolean;
  readonly description: string;
}

export interface ProviderDescriptor {
  readonly name: ProviderName;
  readonly displayName: string;
  /** `hosted`: an HTTP API; `local`: an executable on this machine. */
  readonly kind: 'hosted' | 'local';
  readonly defaultServerUrl: string | null;
  /** What `--workspace` means for this provider, for help and error messages. */
  readonly workspaceHint: string;
  readonly credentials: readonly CredentialSpec[];
  /** Loads the connector lazily, so `--help` and offline reads never import HTTP code. */
  load(): Promise<ConnectorModule>;
}

const token = (env: string, description: string): CredentialSpec => ({
  key: 'token',
  env,
  required: true,
  secret: true,
  description,
});

export const PROVIDERS: readonly ProviderDescriptor[] = Object.freeze([
  {
    name: 'github',
    displayName: 'GitHub Issues',
    kind: 'hosted',
    defaultServerUrl: 'https://api.github.com',
    workspaceHint: 'owner/repo',
    credentials: [token('GITHUB_TOKEN', 'a fine-grained or classic token with Issues read/write')],
    load: async () => (await import('./github/index.js')).connectorModule,
  },
  {
    name: 'gitlab',
    displayName: 'GitLab Issues',
    kind: 'hosted',
    defaultServerUrl: 'https://gitlab.com',
    workspaceHint: 'group/project (or the numeric project id)',
    credentials: [token('GITLAB_TOKEN', 'a personal, group or project access token with the api scope')],
    load: async () => (await import('./gitlab/index.js')).connectorModule,
  },
  {
    name: 'jira',
    displayName: 'Jira (Cloud and Data Center)',
    kind: 'hosted',
    defaultServerUrl: null,
    workspaceHint: 'the project key, e.g. PROJ',
    credentials: [
      {
        key: 'email',
        env: 'JIRA_EMAIL',
        required: false,
        secret: false,
        description: 'Atlassian account email (Jira Cloud)',
      },
      token('JIRA_API_TOKEN', 'API token (Cloud, with email) or personal access token (Data Center)'),
    ],
    load: async () => (await import('./jira/index.js')).connectorModule,
  },
  {
    name: 'linear',
    displayName: 'Linear',
    kind: 'hosted',
    defaultServerUrl: 'https://api.linear.app',
    workspaceHint: 'the team key, e.g. ENG',
    credentials: [
      {
        key: 'api_key',
        env: 'LINEAR_API_KEY',
        required: true,
        secret: true,
        description: 'a personal API key',
      },
    ],
    load: async () => (await import('./linear/index.js')).connectorModule,
  },
  {
    name: 'beads',
    displayName: 'beads (bd)',
    kind: 'local',
    defaultServerUrl: null,
    workspaceHint: 'any name for this beads database',
    credentials: [
      {
        key: 'command',
        env: null,
        required: false,
        secret: false,
        description: 'the bd executable (default bd)',
      },
      {key: 'cwd', env: null, required: false, secret: false, description: 'working directory for bd'},
    ],
    load: async () => (await import('./beads/index.js')).connectorModule,
  },
  {
    name: 'fp',
    displayName: 'fp',
    kind: 'local',
    defaultServerUrl: null,
    workspaceHint: 'any name for this fp project',
    credentials: [
      {
        key: 'command',
        env: null,
        required: false,
        secret: false,
        description: 'the fp executable (default fp)',
      },
      {key: 'cwd', env: null, required: false, secret: false, description: 'working directory for fp'},
    ],
    load: async () => (await import('./fp/index.js')).connectorModule,
  },
]);

export function normaliseProvider(value: string): string {
  return value.trim().toLowerCase();
}

export function findProvider(name: string): ProviderDescriptor | undefined {
  const normalised = normaliseProvider(name);
  return PROVIDERS.find((p) => p.name === normalised);
}

export function requireProvider(name: string): ProviderDescriptor {
  const found = findProvider(name);
  if (!found) {
    const removed = normaliseProvider(name) === 'azure_devops';
    throw new ConnectorConfigError(
      removed ? `Provider 'azure_devops' is no longer supported.` : `Unknown provider '${name}'.`,
      {hint: `Supported providers: ${PROVIDER_NAMES.join(', ')}.`},
    );
  }
  return found;
}
