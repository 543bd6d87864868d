import {TrackerError} from '../../core/errors.js';
import type {ProviderDescriptor} from '../../core/connectors/registry.js';
import {credentialsPath} from '../config/credentials.js';
import {checkServerUrl, isServerApproved} from '../config/server-approval.js';
import type {BoundContext} from './service-context.js';

export class ServerNotApprovedError extends TrackerError {}

/** Quotes a shell argument only when it needs it. */
function shellArg(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** The `bind` command that re-creates this binding as it is, approving its server on this machine. */
function rebindCommand(context: BoundContext, serverUrl: string): string {
  const {binding} = context;
  const args = [
    'spec-kitty tracker bind',
    `--provider ${shellArg(binding.provider)}`,
    `--workspace ${shellArg(binding.workspace)}`,
    `--server-url ${shellArg(serverUrl)}`,
  ];
  if (binding.doctrine.mode !== 'external_authoritative')
    args.push(`--doctrine-mode ${shellArg(binding.doctrine.mode)}`);
  for (const [field, owner] of Object.entries(binding.doctrine.fieldOwners).sort())
    args.push(`--field-owner ${shellArg(`${field}=${owner}`)}`);
  for (const [key, value] of Object.entries(binding.options).sort())
    args.push(`--option ${shellArg(`${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)}`);
  return args.join(' ');
}

/** How the credentials the connector would send are known to the user (never their value). */
function credentialWords(descriptor: ProviderDescriptor, env: NodeJS.ProcessEnv): string {
  const secret = descriptor.credentials.find((spec) => spec.secret);
  if (!secret) return `your ${descriptor.name} credentials`;
  if (secret.env && env[secret.env]?.trim()) return `your ${secret.env}`;
  return `your ${descriptor.name} ${secret.key} (from ${credentialsPath(env)}${secret.env ? ` or ${secret.env}` : ''})`;
}

/**
 * The server gate of a sync, before credentials are read and before any request: the binding's
 * server URL comes from `.kittify/config.yaml`, which is committed, so a hosted provider's
 * credentials only go to its cloud URL or to a server approved on this machine by `bind`
 * (`approved-servers`), and plain `http://` only to a loopback host. Local providers (beads,
 * fp) send nothing over the network and pass.
 */
export function assertServerApproved(
  context: BoundContext,
  descriptor: ProviderDescriptor,
  env: NodeJS.ProcessEnv,
): void {
  if (descriptor.kind !== 'hosted') return;
  const raw = context.binding.serverUrl;
  if (raw === null) return; // the provider's cloud (or, for Jira, the connector says a URL is needed)
  const where = '.kittify/config.yaml';
  const checked = checkServerUrl(raw);
  if ('problem' in checked) {
    if (checked.problem === 'plain_http') {
      throw new ServerNotApprovedError(
        `Refusing to sync: tracker.server_url in ${where} is ${raw}, plain http to a host that is not loopback; ${credentialWords(descriptor, env)} would cross the network unencrypted. Nothing was sent.`,
        {hint: `Use an https:// URL: \`${rebindCommand(context, raw.replace(/^http:/i, 'https:'))}\`.`},
      );
    }
    throw new ServerNotApprovedError(
      `Refusing to sync: tracker.server_url in ${where} is '${raw}', which is not a usable https URL (${checked.problem === 'credentials' ? 'it contains credentials' : checked.problem === 'scheme' ? 'not http(s)' : 'not a URL'}). Nothing was sent.`,
      {
        hint: `Fix it there, or bind again: \`spec-kitty tracker bind --provider ${descriptor.name} --workspace … --server-url https://…\`.`,
      },
    );
  }
  if (isServerApproved(descriptor.name, descriptor.defaultServerUrl, checked.url, env)) return;
  throw new ServerNotApprovedError(
    `Refusing to sync: the binding in ${where} points at ${checked.url}, which this machine never approved for ${descriptor.name}; ${credentialWords(descriptor, env)} would be sent there. Nothing was sent.`,
    {
      hint: `If you trust that server, run \`${rebindCommand(context, checked.url)}\` on this machine; if you did not expect it, check who changed tracker.server_url (git log -p ${where}).`,
    },
  );
}
