/**
 * Byte-for-byte the output of Python's `json.dumps(obj, sort_keys=True)` (and, with `indent`,
 * of `json.dumps(obj, sort_keys=True, indent=n)`): keys sorted by code point at every depth,
 * `", "`/`": "` separators (`","` before a newline when indented), non-ASCII escaped as
 * lowercase `\uXXXX` (surrogate pairs for astral characters), floats in Python's repr.
 *
 * Why our own: the same event must have the same bytes whichever implementation wrote it, so
 * lines dedupe and diff cleanly; `JSON.stringify` keeps insertion order and raw non-ASCII.
 */
export function canonicalJson(value: unknown, options: {indent?: number; depth?: number} = {}): string {
  // `depth`: indented as if nested that deep (a value streamed into an enclosing document).
  return options.indent === undefined ? compact(value) : write(value, options.indent, options.depth ?? 0);
}

/** `canonicalJson` plus the trailing newline of a JSONL line. */
export function canonicalJsonLine(value: unknown): string {
  return `${canonicalJson(value)}\n`;
}

/**
 * Whether `canonicalJson(a) === canonicalJson(b)`, found without writing either: the stores
 * compare issues and fields this way on every pulled issue and every edit, and writing two
 * issues with their bodies to compare them cost more than the rest of recording one.
 */
export function jsonValuesEqual(a: unknown, b: unknown): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a === b;
  const scalarA = scalarText(a);
  const scalarB = scalarText(b);
  if (scalarA !== null || scalarB !== null) return scalarA === scalarB;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonValuesEqual(a[i], b[i])) return false;
    return true;
  }
  const recordA = a as Record<string, unknown>;
  const recordB = b as Record<string, unknown>;
  // Keys whose value is undefined are not written, so they do not count.
  let unmatched = 0;
  for (const key of Object.keys(recordA)) {
    const value = recordA[key];
    if (value === undefined) continue;
    unmatched += 1;
    if (!Object.prototype.hasOwnProperty.call(recordB, key) || !jsonValuesEqual(value, recordB[key]))
      return false;
  }
  for (const key of Object.keys(recordB)) if (recordB[key] !== undefined) unmatched -= 1;
  return unmatched === 0;
}

/** The text of anything but an array or an object (null for those): the same in both forms. */
function scalarText(value: unknown): string | null {
  switch (typeof value) {
    case 'string':
      return quote(value);
    case 'number':
      return pythonNumber(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'undefined':
      return 'null';
    case 'bigint':
      return value.toString();
    case 'object':
      if (value === null) return 'null';
      return value instanceof Date ? quote(value.toISOString()) : null;
    default:
      throw new TypeError(`cannot serialise a ${typeof value} as JSON`);
  }
}

/**
 * The one-line form (every log line): the same output as `write(value, null, 0)`. Pieces go to
 * one array joined at the end: a line built by `+=` is a rope of a hundred small strings, which
 * the garbage collector copies piece by piece while a batch of lines waits to be written.
 */
function compact(value: unknown): string {
  const scalar = scalarText(value);
  if (scalar !== null) return scalar;
  const out: string[] = [];
  append(value, out);
  return out.join('');
}

function append(value: unknown, out: string[]): void {
  const scalar = scalarText(value);
  if (scalar !== null) {
    out.push(scalar);
    return;
  }
  if (Array.isArray(value)) {
    const n = value.length;
    if (n === 0) {
      out.push('[]');
      return;
    }
    out.push('[');
    append(value[0], out);
    for (let i = 1; i < n; i++) {
      out.push(', ');
      append(value[i], out);
    }
    out.push(']');
    return;
  }
  const record = value as Record<string, unknown>;
  let first = true;
  for (const key of sortKeys(Object.keys(record))) {
    const item = record[key];
    if (item === undefined) continue;
    out.push(first ? '{' : ', ', quotedKey(key));
    first = false;
    append(item, out);
  }
  out.push(first ? '{}' : '}');
}

/**
 * `"key": ` for object keys, remembered: the same few dozen keys (an issue's fields, an event's)
 * come back on every line. Bounded, since custom field names are the tracker's choice.
 */
const QUOTED_KEYS = new Map<string, string>();
const QUOTED_KEYS_MAX = 4096;

function quotedKey(key: string): string {
  let quoted = QUOTED_KEYS.get(key);
  if (quoted === undefined) {
    quoted = quote(key) + ': ';
    if (QUOTED_KEYS.size < QUOTED_KEYS_MAX) QUOTED_KEYS.set(key, quoted);
  }
  return quoted;
}

/** Keys without astral characters (the usual ones), remembered like `QUOTED_KEYS`. */
const PLAIN_KEYS = new Set<string>();

function isPlainKey(key: string): boolean {
  if (PLAIN_KEYS.has(key)) return true;
  if (ASTRAL.test(key)) return false;
  if (PLAIN_KEYS.size < QUOTED_KEYS_MAX) PLAIN_KEYS.add(key);
  return true;
}

/**
 * The indented form (`indent` spaces per level), built as one list of pieces joined once: a
 * nested `map(...).join(...)` copied a document once per level (a plan of 2,000 issue bodies
 * is 25 MB, copied five times over).
 */
function write(value: unknown, indent: number, depth: number): string {
  const scalar = scalarText(value);
  if (scalar !== null) return scalar;
  let text = '';
  for (const chunk of canonicalJsonChunks(value, {indent, depth, chunkChars: Number.POSITIVE_INFINITY}))
    text = chunk;
  return text;
}

/** A container being written: its items (or its keys, for an object) and how far it got. */
interface OpenContainer {
  readonly items: readonly unknown[];
  /** The object's keys with a value, sorted; null for an array. */
  readonly keys: readonly string[] | null;
  readonly record: Record<string, unknown> | null;
  readonly depth: number;
  next: number;
}

/**
 * `canonicalJson(value, {indent, depth})` in chunks of about `chunkChars` characters, produced
 * as they are asked for: a caller that waits for the output to drain between chunks never holds
 * the whole document (a dry run's plan with every new issue's body is tens of megabytes). The
 * chunks joined are the same bytes. A loop over a stack, not recursion, so that it can pause.
 */
export function* canonicalJsonChunks(
  value: unknown,
  options: {indent: number; depth?: number; chunkChars?: number},
): Generator<string, void, undefined> {
  const {indent} = options;
  const limit = options.chunkChars ?? 64 * 1024;
  let parts: string[] = [];
  let size = 0;
  const push = (piece: string): void => {
    parts.push(piece);
    size += piece.length;
  };
  const stack: OpenContainer[] = [];
  openValue(value, options.depth ?? 0, push, stack);
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if (top.next === top.items.length) {
      push(pad(indent * top.depth) + (top.keys === null ? ']' : '}'));
      stack.pop();
    } else {
      const i = top.next++;
      const inner = pad(indent * (top.depth + 1));
      if (top.keys === null) {
        push((i === 0 ? '[' : ',') + inner);
        openValue(top.items[i], top.depth + 1, push, stack);
      } else {
        const key = top.keys[i]!;
        push((i === 0 ? '{' : ',') + inner);
        push(quotedKey(key));
        openValue(top.record![key], top.depth + 1, push, stack);
      }
    }
    if (size >= limit) {
      yield parts.join('');
      parts = [];
      size = 0;
    }
  }
  if (parts.length > 0) yield parts.join('');
}

/** Writes a scalar or an empty container whole; opens (pushes) any other container. */
function openValue(
  value: unknown,
  depth: number,
  push: (piece: string) => void,
  stack: OpenContainer[],
): void {
  const scalar = scalarText(value === undefined ? null : value);
  if (scalar !== null) {
    push(scalar);
    return;
  }
  if (Array.isArray(value)) {
    if (value.length === 0) push('[]');
    else stack.push({items: value, keys: null, record: null, depth, next: 0});
    return;
  }
  const record = value as Record<string, unknown>;
  const keys = sortKeys(Object.keys(record)).filter((key) => record[key] !== undefined);
  if (keys.length === 0) push('{}');
  else stack.push({items: keys, keys, record, depth, next: 0});
}

/** `"\n"` and the indent of one depth, remembered (a document repeats a handful of them). */
const PADS = new Map<number, string>();

function pad(columns: number): string {
  let text = PADS.get(columns);
  if (text === undefined) {
    text = '\n' + ' '.repeat(columns);
    PADS.set(columns, text);
  }
  return text;
}

/**
 * Keys in code point order. The default sort (UTF-16 units) agrees with it unless a key holds a
 * surrogate (an astral character), which is rare in keys: only then the slower comparison.
 */
function sortKeys(keys: string[]): string[] {
  let sorted = true;
  for (let i = 1; i < keys.length; i++) {
    if (keys[i - 1]! > keys[i]!) {
      sorted = false;
      break;
    }
  }
  // Objects built in key order (most of ours) need no sort at all; code point order and the
  // default order (UTF-16 units) differ only where a key holds an astral character.
  const plain = keys.every(isPlainKey);
  if (sorted) return plain ? keys : keys.sort(compareCodePoints);
  return plain ? keys.sort() : keys.sort(compareCodePoints);
}

const ASTRAL = /[\ud800-\udfff]/;

/** Python sorts str keys by code point; JS's default sort compares UTF-16 units. */
export function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const ca = ia.next();
    const cb = ib.next();
    if (ca.done) return cb.done ? 0 : -1;
    if (cb.done) return 1;
    const pa = ca.value.codePointAt(0)!;
    const pb = cb.value.codePointAt(0)!;
    if (pa !== pb) return pa - pb;
  }
}

/** Characters Python's `ensure_ascii` escapes: controls, `"`, `\\`, and everything past `~`. */
// eslint-disable-next-line no-control-regex -- the control characters are what it looks for
const NEEDS_ESCAPE = /["\\\u0000-\u001f\u007f-\uffff]/;
const NON_ASCII = /[\u007f-\uffff]/g;

function unicodeEscape(ch: string): string {
  return '\\u' + ch.charCodeAt(0).toString(16).padStart(4, '0');
}

/**
 * A JSON string as Python writes it. Most strings need no escape at all; the others go through
 * `JSON.stringify`, whose escapes of `"`, `\\`, controls (`\\n`... or lowercase `\\u00XX`) and
 * lone surrogates are Python's, and then every remaining code unit past `~` is escaped as
 * lowercase `\\uXXXX` (an astral character as its surrogate pair), as `ensure_ascii` does.
 */
function quote(text: string): string {
  if (!NEEDS_ESCAPE.test(text)) return '"' + text + '"';
  return JSON.stringify(text).replace(NON_ASCII, unicodeEscape);
}

/** Python's float repr: shortest round-trip digits, exponent form when exp < -4 or >= 16. */
function pythonNumber(value: number): string {
  if (!Number.isFinite(value)) throw new TypeError(`cannot serialise ${value} as JSON`);
  if (Number.isInteger(value) && Math.abs(value) < 1e16) return Object.is(value, -0) ? '0' : String(value);
  const [mantissa, exponentText] = value.toExponential().split('e') as [string, string];
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 16) {
    const digits = mantissa.includes('.') ? mantissa : `${mantissa}.0`;
    // Python writes 1e+16, 1.5e-05: mantissa without a trailing .0, exponent with two digits.
    const trimmed = digits.endsWith('.0') ? digits.slice(0, -2) : digits;
    const sign = exponent < 0 ? '-' : '+';
    return `${trimmed}e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  const plain = String(value);
  return plain.includes('.') || plain.includes('e') ? plain : `${plain}.0`;
}
