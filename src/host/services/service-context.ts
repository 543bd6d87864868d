import {findProvider, PROVIDER_NAMES} from '../../core/connectors/registry.js';
import {TrackerError, ValidationError} from '../../core/errors.js';
import {createOwnershipPolicy, type OwnershipPolicy} from '../../core/policy/ownership.js';
import {readTrackerBinding, isBound, type TrackerBinding} from '../config/tracker-config.js';
import {findProjectRoot, type ProjectLocation} from '../project/project-root.js';

/** Where a service runs: the caller's folder and environment (commands pass process's). */
export interface ServiceEnvironment {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
}

export interface ProjectContext {
  readonly location: ProjectLocation;
  readonly binding: TrackerBinding;
}

/** A project whose binding names a provider and a workspace. */
export interface BoundContext extends ProjectContext {
  readonly binding: TrackerBinding & {readonly provider: string; readonly workspace: string};
}

export class NotBoundError extends TrackerError {}

/** Finds the project and reads its binding (never writes). */
export async function loadProject(environment: ServiceEnvironment): Promise<ProjectContext> {
  const location = await findProjectRoot(environment.cwd, environment.env);
  let binding: TrackerBinding;
  try {
    binding = readTrackerBinding(location.configPath, location.root);
  } catch (error) {
    // Reading a folder (EISDIR) fails without naming it: name it, for the CLI's error report.
    const failed = error as NodeJS.ErrnoException;
    if (error instanceof Error && failed.syscall !== undefined) failed.path ??= location.configPath;
    throw error;
  }
  return {location, binding};
}

/** `loadProject`, requiring a binding. */
export async function loadBoundProject(environment: ServiceEnvironment): Promise<BoundContext> {
  const context = await loadProject(environment);
  const {binding} = context;
  if (!isBound(binding) && binding.provider !== null && binding.saasBindingRef !== null) {
    throw new NotBoundError(
      `This project's ${binding.provider} binding (binding_ref ${binding.saasBindingRef}) is served by spec-kitty's SaaS, through the Python spec-kitty CLI; this plugin talks to trackers directly and has nothing to read for it.`,
      {
        hint: `Keep using the Python CLI's \`spec-kitty tracker\` for it, or add a direct binding here: \`spec-kitty tracker bind --provider ${binding.provider} --workspace <workspace>\` (the SaaS keys are kept).`,
      },
    );
  }
  if (!isBound(binding)) {
    throw new NotBoundError(
      binding.provider === null
        ? 'No tracker bound to this project.'
        : `The tracker binding for ${binding.provider} has no workspace.`,
      {hint: 'Run `spec-kitty tracker bind --provider <provider> --workspace <workspace>` first.'},
    );
  }
  if (!findProvider(binding.provider)) {
    // Said here, naming the file, rather than as a bare "Unknown provider" from deeper down.
    throw new TrackerError(
      `tracker.provider in .kittify/config.yaml is '${binding.provider}', which is not a supported provider.`,
      {
        hint: `Supported providers: ${PROVIDER_NAMES.join(', ')}. Fix it there, or bind again: spec-kitty tracker bind --provider <provider> --workspace <workspace>.`,
      },
    );
  }
  return context as BoundContext;
}

/** The binding's ownership policy; a doctrine edited by hand into something invalid is an error saying where. */
export function policyOf(context: BoundContext): OwnershipPolicy {
  try {
    return createOwnershipPolicy(context.binding.doctrine.mode, context.binding.doctrine.fieldOwners);
  } catch (error) {
    const reason = error instanceof ValidationError ? error.message : String(error);
    throw new TrackerError(`The tracker doctrine in .kittify/config.yaml is invalid: ${reason}`, {
      hint: 'Fix tracker.doctrine there, or run `spec-kitty tracker bind` again with --doctrine-mode.',
    });
  }
}
