import {ValidationError} from '../errors.js';

/**
 * Where an issue lives: provider system, workspace (repo, project, team) and the provider's id.
 * `key` is the human handle (`#12`, `PROJ-7`); `url` the browser link.
 */
export interface ExternalRef {
  readonly system: string;
  readonly workspace: string;
  readonly id: string;
  readonly key: string | null;
  readonly url: string | null;
}

export interface ExternalRefInput {
  system: string;
  workspace: string;
  id: string | number;
  key?: string | null;
  url?: string | null;
}

/** Validates and normalises a ref; blank system, workspace or id is rejected with the field name. */
export function createRef(input: ExternalRefInput, fieldPrefix = 'ref'): ExternalRef {
  const part = (name: 'system' | 'workspace' | 'id'): string => {
    const raw = input[name];
    const value = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : '';
    if (value === '') {
      throw new ValidationError(`${fieldPrefix}.${name}`, 'must not be blank', {
        hint: 'An external reference needs a system, a workspace and an id.',
      });
    }
    return value;
  };
  const optional = (value: string | null | undefined): string | null => {
    if (typeof value !== 'string') return null;
    const trimmed = value.trim();
    return trimmed === '' ? null : trimmed;
  };
  return Object.freeze({
    system: part('system'),
    workspace: part('workspace'),
    id: part('id'),
    key: optional(input.key),
    url: optional(input.url),
  });
}

/** `system:workspace:id`, the stable identity used as the key everywhere. */
export function refIdentity(ref: Pick<ExternalRef, 'system' | 'workspace' | 'id'>): string {
  // Joined, not concatenated: `join` makes one flat string, where `a + b` makes a rope of pieces,
  // and the state keeps an identity per issue (50,000 in a large pull) for as long as it lives.
  return [ref.system, ref.workspace, ref.id].join(':');
}

/** The handle a person types: the key when there is one, else the id. */
export function refHandle(ref: ExternalRef): string {
  return ref.key ?? ref.id;
}

export function sameRef(a: ExternalRef | null, b: ExternalRef | null): boolean {
  if (a === null || b === null) return a === b;
  return refIdentity(a) === refIdentity(b);
}

/** Prefix of the provider id of a local draft: an issue that does not exist remotely yet. */
export const DRAFT_ID_PREFIX = 'draft-';

export function isDraftRef(ref: Pick<ExternalRef, 'id'>): boolean {
  return ref.id.startsWith(DRAFT_ID_PREFIX);
}
