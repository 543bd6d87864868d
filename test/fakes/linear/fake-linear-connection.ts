/**
 * Relay connections as Linear pages them: `first`/`after` forwards, `last`/`before` backwards,
 * 50 items when neither is given, at most 250. Cursors are opaque to clients; here they encode
 * the item's position key, so an item edited between two pages does not shift the next one.
 */

export interface PageArgs {
  readonly first?: number | null;
  readonly after?: string | null;
  readonly last?: number | null;
  readonly before?: string | null;
}

export interface Connection<T> {
  readonly nodes: T[];
  readonly pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
}

const DEFAULT_PAGE = 50;
const MAX_PAGE = 250;

function encode(key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

function decode(cursor: string): (string | number)[] {
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(key)) return key as (string | number)[];
  } catch {
    // fall through
  }
  throw new Error(`Invalid cursor "${cursor}".`);
}

function compareKeys(a: readonly (string | number)[], b: readonly (string | number)[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] === b[i]) continue;
    return a[i] < b[i] ? -1 : 1;
  }
  return 0;
}

/**
 * One page of `items`, in list order; `keyOf` gives each item a unique key (one that increases
 * along the list, e.g. a negated timestamp for a newest-first list, also places a cursor whose
 * item has gone since).
 */
export function connectionOf<T, V>(
  items: readonly T[],
  args: PageArgs,
  keyOf: (item: T) => (string | number)[],
  view: (item: T) => V,
): Connection<V> {
  let start = 0;
  let end = items.length;
  // The item a cursor names, or (when it is gone) where its key would sort in an ordered list.
  const indexOf = (cursor: string): {index: number; exact: boolean} => {
    const key = decode(cursor);
    const exact = items.findIndex((item) => compareKeys(keyOf(item), key) === 0);
    if (exact >= 0) return {index: exact, exact: true};
    const after = items.findIndex((item) => compareKeys(keyOf(item), key) > 0);
    return {index: after < 0 ? items.length : after, exact: false};
  };
  if (args.after) {
    const at = indexOf(args.after);
    start = at.exact ? at.index + 1 : at.index;
  }
  if (args.before) end = Math.max(start, indexOf(args.before).index);
  const size = (n: number | null | undefined): number => Math.min(Math.max(0, n ?? DEFAULT_PAGE), MAX_PAGE);
  if (typeof args.last === 'number' && typeof args.first !== 'number')
    start = Math.max(start, end - size(args.last));
  else end = Math.min(end, start + size(args.first));
  const page = items.slice(start, end);
  return {
    nodes: page.map(view),
    pageInfo: {
      hasNextPage: end < items.length,
      hasPreviousPage: start > 0,
      startCursor: page[0] ? encode(keyOf(page[0])) : null,
      endCursor: page.length > 0 ? encode(keyOf(page[page.length - 1])) : null,
    },
  };
}
