import {TrackerError} from '../../core/errors.js';
import {createRef, refIdentity} from '../../core/model/external-ref.js';
import type {WorkPackageMapping} from '../../core/protocols/mapping-store.js';
import {existsSync} from 'node:fs';
import {join} from 'node:path';

import {UsageError} from '../shared/usage-error.js';
import {assertLocalContentClean, guardStorage} from './content-guard.js';
import {loadBoundProject, type BoundContext, type ServiceEnvironment} from './service-context.js';
import {openBoundStorage} from './storage-gateway.js';

export interface MappingView {
  readonly wp_id: string;
  readonly identity: string;
  readonly system: string;
  readonly external_id: string;
  readonly external_key: string | null;
  readonly external_url: string | null;
  /** The cached issue's title, when the issue is in the cache. */
  readonly title: string | null;
  readonly created_at: string;
  readonly updated_at: string;
}

function view(mapping: WorkPackageMapping, title: string | null): MappingView {
  return {
    wp_id: mapping.wp_id,
    identity: refIdentity(mapping.ref),
    system: mapping.ref.system,
    external_id: mapping.ref.id,
    external_key: mapping.ref.key,
    external_url: mapping.ref.url,
    title,
    created_at: mapping.created_at,
    updated_at: mapping.updated_at,
  };
}

export interface MapAddRequest {
  readonly wpId: string;
  readonly externalId: string;
  readonly externalKey?: string;
  readonly externalUrl?: string;
  /** Map an id the cache does not have although the cache holds this workspace's issues. */
  readonly force?: boolean;
  /** Replace the work package's existing mapping to another issue. */
  readonly replace?: boolean;
}

/**
 * Maps a work package to an issue of the bound tracker. The key and URL default to the cached
 * issue's. An issue already mapped to another work package is refused with how to fix it.
 */
export async function addMapping(
  environment: ServiceEnvironment,
  request: MapAddRequest,
): Promise<MappingView & {warnings: string[]}> {
  const wpId = request.wpId.trim();
  const externalId = request.externalId.trim().replace(/^#(?=\d+$)/, '');
  if (wpId === '')
    throw new UsageError('Invalid --wp-id: it must not be blank.', {
      hint: 'Pass the work package id, e.g. WP01.',
    });
  if (externalId === '')
    throw new UsageError('Invalid --external-id: it must not be blank.', {
      hint: "Pass the tracker's id of the issue.",
    });
  if (request.externalUrl !== undefined) {
    try {
      new URL(request.externalUrl);
    } catch {
      throw new UsageError(`Invalid --external-url '${request.externalUrl}': not a URL.`, {
        hint: 'Pass the issue URL, e.g. https://github.com/acme/app/issues/12.',
      });
    }
  }
  assertLocalContentClean(environment.env, [
    {label: '--wp-id', value: wpId},
    {label: '--external-id', value: externalId},
    {label: '--external-key', value: request.externalKey},
    {label: '--external-url', value: request.externalUrl},
  ]);
  const context = await loadBoundProject(environment);
  const target = await resolveWpForMapping(context, wpId);
  const storage = guardStorage(await openBoundStorage(context), environment.env);
  const {provider, workspace} = context.binding;
  const cached = await storage.stores.getIssue(refIdentity({system: provider, workspace, id: externalId}));
  const ref = createRef({
    system: provider,
    workspace,
    id: externalId,
    key: request.externalKey ?? cached?.ref.key ?? null,
    url: request.externalUrl ?? cached?.ref.url ?? null,
  });
  const warnings = [...target.warnings];
  if (cached === null) warnings.push(await uncachedIssue(storage.stores, context, externalId, request.force));
  const existing = await storage.stores.getByWorkPackage(target.wpId, provider);
  if (existing !== null && existing.ref.id !== externalId && request.replace !== true)
    throw new TrackerError(
      `${target.wpId} is already mapped to ${existing.ref.key ?? existing.ref.id}; nothing was changed.`,
      {
        hint: `To map it to ${externalId} instead, run the command again with --replace (or \`spec-kitty tracker map remove --wp-id ${target.wpId}\` first).`,
      },
    );
  const mapping = await storage.stores.addMapping(target.wpId, ref);
  return {...view(mapping, cached?.title ?? null), warnings};
}

/**
 * An id the cache does not have: refused (usage error) when the cache holds this workspace's
 * issues, since then it is most likely a typo and the work package's progress would go to the
 * wrong issue, unless `force`; a warning when nothing was pulled yet (mapping before the first
 * pull is legitimate).
 */
async function uncachedIssue(
  stores: {highWaterMark(query?: {system?: string}): Promise<string | null>},
  context: BoundContext,
  externalId: string,
  force: boolean | undefined,
): Promise<string> {
  const {provider, workspace} = context.binding;
  // The cache folder is the binding's own: any pulled version means this workspace was pulled.
  const pulled = (await stores.highWaterMark({system: provider})) !== null;
  if (pulled && force !== true)
    throw new UsageError(
      `No issue ${externalId} in the cache of ${provider} ${workspace}; nothing was mapped.`,
      {
        hint: 'Check the id (`spec-kitty tracker issue-search`), run `spec-kitty tracker sync pull` if it is new, or pass --force to map it anyway.',
      },
    );
  return pulled
    ? `Issue ${externalId} is not in the cache: mapped anyway (--force).`
    : `Issue ${externalId} is not in the cache (nothing pulled yet): mapped as given; \`spec-kitty tracker sync pull\` fetches it.`;
}

/**
 * The id a mapping is stored under. A bare `WP01` becomes `<mission>/WP01` when exactly one
 * mission in kitty-specs/ has it (so it stays unambiguous when a second mission gets a WP01);
 * one that several missions have is refused with the candidates. An id kitty-specs/ does not
 * contain (yet) is kept as given, with a warning: mapping ahead of writing the task file, or a
 * mission on another branch, are legitimate, and a typo is visible in the warning.
 */
async function resolveWpForMapping(
  context: BoundContext,
  wpId: string,
): Promise<{wpId: string; warnings: string[]}> {
  const workPackages = await projectWorkPackages(context);
  const {resolveWorkPackageId, splitWpId} = await import('../workpackages/wp-ids.js');
  const bare = splitWpId(wpId).mission === null;
  const candidates = bare ? workPackages.filter((w) => w.wp_id === wpId.toUpperCase()) : [];
  if (candidates.length > 1) throw ambiguousWpId(wpId, candidates);
  try {
    return {wpId: resolveWorkPackageId(workPackages, wpId), warnings: []};
  } catch (error) {
    if (!(error instanceof TrackerError)) throw error;
    return {
      wpId,
      warnings: [
        `No work package ${wpId} in kitty-specs/: mapped as given. If that is a typo, remove it with \`spec-kitty tracker map remove --wp-id ${wpId}\`.`,
      ],
    };
  }
}

interface WpIdentity {
  readonly mission_slug: string;
  readonly wp_id: string;
  readonly qualified_id: string;
}

async function projectWorkPackages(context: BoundContext): Promise<WpIdentity[]> {
  if (!existsSync(join(context.location.root, 'kitty-specs'))) return [];
  const {readMissionsSync} = await import('../workpackages/mission-reader.js');
  return readMissionsSync(context.location.root).missions.flatMap((m) => [...m.work_packages]);
}

function ambiguousWpId(wpId: string, candidates: readonly WpIdentity[]): UsageError {
  return new UsageError(
    `${wpId.toUpperCase()} exists in ${candidates.length} missions: ${candidates.map((c) => c.mission_slug).join(', ')}.`,
    {hint: `Say which one, e.g. --wp-id ${candidates[0].qualified_id}.`},
  );
}

export interface MappingList {
  readonly provider: string;
  readonly workspace: string;
  readonly mappings: MappingView[];
  readonly warnings: readonly string[];
}

export async function listMappings(environment: ServiceEnvironment): Promise<MappingList> {
  const context = await loadBoundProject(environment);
  const {indexMappings, openIndexFor} = await import('./indexed-reads.js');
  const index = await openIndexFor(context);
  if (index) {
    try {
      // Titles of the mapped issues only: one indexed lookup each, not the whole list.
      const mappings = indexMappings(index).map((m) => {
        const title = index.liveIssue(refIdentity(m.ref))?.issue.title;
        return view(m, title ?? null);
      });
      return {
        provider: context.binding.provider,
        workspace: context.binding.workspace,
        mappings,
        warnings: index.warnings,
      };
    } finally {
      index.close();
    }
  }
  const storage = await openBoundStorage(context);
  // One after the other: the mappings fold the whole state, which the issue list then reuses.
  const mappings = await storage.stores.listMappings();
  const issues = await storage.stores.listIssues();
  const titles = new Map(issues.map((issue) => [refIdentity(issue.ref), issue.title] as const));
  return {
    provider: context.binding.provider,
    workspace: context.binding.workspace,
    mappings: mappings.map((m) => view(m, titles.get(refIdentity(m.ref)) ?? null)),
    warnings: storage.warnings,
  };
}

export async function removeMapping(
  environment: ServiceEnvironment,
  wpIdInput: string,
): Promise<{removed: MappingView[]}> {
  const wpId = wpIdInput.trim();
  if (wpId === '')
    throw new UsageError('Invalid --wp-id: it must not be blank.', {
      hint: 'Pass the work package id, e.g. WP01.',
    });
  const context = await loadBoundProject(environment);
  const storage = await openBoundStorage(context);
  let removed = await storage.stores.removeMapping(wpId, context.binding.provider);
  if (removed.length === 0) {
    // `WP01` for the mapping `map add` stored as `<mission>/WP01`.
    const workPackages = await projectWorkPackages(context);
    const {resolveWorkPackageId, splitWpId} = await import('../workpackages/wp-ids.js');
    if (splitWpId(wpId).mission === null) {
      const candidates = workPackages.filter((w) => w.wp_id === wpId.toUpperCase());
      if (candidates.length > 1) throw ambiguousWpId(wpId, candidates);
    }
    let qualified: string | null = null;
    try {
      qualified = resolveWorkPackageId(workPackages, wpId);
    } catch {
      qualified = null;
    }
    if (qualified !== null && qualified !== wpId)
      removed = await storage.stores.removeMapping(qualified, context.binding.provider);
  }
  if (removed.length === 0) {
    throw new TrackerError(
      `No mapping for work package ${wpId} in this binding (${context.binding.provider}).`,
      {
        hint: 'See the mappings with `spec-kitty tracker map list`.',
      },
    );
  }
  return {removed: removed.map((m) => view(m, null))};
}
