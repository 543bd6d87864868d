/**
 * Byte-for-byte the output of Python's `json.dumps(obj, sort_keys=True)` (and, with `indent`,
 * of `json.dumps(obj, sort_keys=True, indent=n)`): keys sorted by code point at every depth,
 * `", "`/`": "` separators (`","` before a newline when indented), non-ASCII escaped as
 * lowercase `\uXXXX` (surrogate pairs for astral characters), floats in Python's repr.
 *
 * Why our own: the same event must have the same bytes whichever implementation wrote it, so
 * lines dedupe and diff cleanly; `JSON.stringify` keeps insertion order and raw non-ASCII.
 */
export function canonicalJson(value: unknown, options: {indent?: number} = {}): string {
  return write(value, options.indent ?? null, 0);
}

/** `canonicalJson` plus the trailing newline of a JSONL line. */
export function canonicalJsonLine(value: unknown): string {
  return `${canonicalJson(value)}\n`;
}

function write(value: unknown, indent: number | null, depth: number): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'string':
      return quote(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      return pythonNumber(value);
    case 'bigint':
      return value.toString();
    case 'object':
      break;
    default:
      throw new TypeError(`cannot serialise a ${typeof value} as JSON`);
  }
  if (value instanceof Date) return quote(value.toISOString());
  const open = (bracket: string, close: string, items: string[]): string => {
    if (items.length === 0) return bracket + close;
    if (indent === null) return bracket + items.join(', ') + close;
    const pad = '\n' + ' '.repeat(indent * (depth + 1));
    return bracket + pad + items.join(',' + pad) + '\n' + ' '.repeat(indent * depth) + close;
  };
  if (Array.isArray(value)) {
    return open(
      '[',
      ']',
      value.map((item) => write(item === undefined ? null : item, indent, depth + 1)),
    );
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record)
    .filter((key) => record[key] !== undefined)
    .sort(compareCodePoints);
  return open(
    '{',
    '}',
    keys.map((key) => `${quote(key)}: ${write(record[key], indent, depth + 1)}`),
  );
}

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

const SIMPLE_ESCAPES: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
};

function quote(text: string): string {
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    const code = text.charCodeAt(i);
    const simple = SIMPLE_ESCAPES[ch];
    if (simple !== undefined) out += simple;
    else if (code < 0x20 || code > 0x7e) out += '\\u' + code.toString(16).padStart(4, '0');
    else out += ch;
  }
  return out + '"';
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
