/**
 * Finding the lines of JSONL segments (held as bytes) that hold a needle, without decoding them:
 * what the targeted scan of the first `show` searches with. A line is `[segment, start, end]`,
 * `end` being the offset of its newline.
 */
export type LineSpan = [segment: number, start: number, end: number];

/**
 * Where a match may start: `anywhere`; `id`, where a ref's id starts (`"id": "12"`) or after a
 * colon (the id at the end of an identity, `"github:acme/app:12"`); `key`, also where a ref's key
 * starts (`"key": "PROJ-7"`, `"key": "#12"`). Canonical JSON writes these fields so. Checking it
 * before a line is parsed spares parsing the lines where the needle ends some other string (`12"`
 * in `"112"`, `bug"` in a label `"bug"`).
 */
export type MatchStart = 'anywhere' | 'id' | 'key';

/** The lines of `buffers` holding `needle` byte for byte, starting as `start` says (each line once). */
export function linesHolding(
  buffers: readonly Buffer[],
  needle: string,
  start: MatchStart = 'anywhere',
): LineSpan[] {
  return collect(buffers, [Buffer.from(needle, 'utf8')], (buffer, at) => startsRight(buffer, at, start));
}

/**
 * The lines of `buffers` holding `needle` with its ASCII letters in any case (`proj-7"` finds
 * `PROJ-7"` and `Proj-7"`), starting as `start` says; `needle` is printable ASCII with its
 * letters in lower case. Letters have no fixed bytes, so `Buffer.indexOf` looks for a short tail
 * of the needle in each of its casings (its last three characters and the caseless ones before
 * them: `-7"`, one casing; `b2"`, two), and the bytes before each match are compared with the
 * rest of the needle. About the cost of one exact search per casing of the tail; lowering a copy
 * of the bytes first costs some twenty times more.
 */
export function linesHoldingCaseless(
  buffers: readonly Buffer[],
  needle: string,
  start: MatchStart = 'anywhere',
): LineSpan[] {
  const tailStart = tailOf(needle);
  const head = Buffer.from(needle.slice(0, tailStart), 'latin1');
  const tails = casings(needle.slice(tailStart)).map((casing) => Buffer.from(casing, 'latin1'));
  return collect(
    buffers,
    tails,
    (buffer, at) =>
      at >= head.length &&
      sameLetters(buffer, at - head.length, head) &&
      startsRight(buffer, at - head.length, start),
  );
}

/** The lines holding any of `patterns` at a place `accept` takes, in order, each once. */
function collect(
  buffers: readonly Buffer[],
  patterns: readonly Buffer[],
  accept: (buffer: Buffer, at: number) => boolean,
): LineSpan[] {
  const lines: LineSpan[] = [];
  for (const pattern of patterns) {
    for (let s = 0; s < buffers.length; s += 1) {
      const buffer = buffers[s]!;
      for (let at = buffer.indexOf(pattern); at !== -1;) {
        if (!accept(buffer, at)) {
          at = buffer.indexOf(pattern, at + 1);
          continue;
        }
        const end = buffer.indexOf(10, at);
        lines.push([s, buffer.lastIndexOf(10, at) + 1, end]);
        at = buffer.indexOf(pattern, end);
      }
    }
  }
  if (patterns.length === 1) return lines;
  // A line holding the needle in two casings came once per casing.
  lines.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  return lines.filter((line, i) => i === 0 || line[0] !== lines[i - 1]![0] || line[1] !== lines[i - 1]![1]);
}

const COLON = 0x3a;
const ID_FIELD = Buffer.from('"id": "', 'latin1');
const KEY_FIELD = Buffer.from('"key": "', 'latin1');
const HASH_KEY_FIELD = Buffer.from('"key": "#', 'latin1');

function startsRight(buffer: Buffer, at: number, start: MatchStart): boolean {
  if (start === 'anywhere' || buffer[at - 1] === COLON || follows(buffer, at, ID_FIELD)) return true;
  return start === 'key' && (follows(buffer, at, KEY_FIELD) || follows(buffer, at, HASH_KEY_FIELD));
}

/** Whether `bytes` end just before `at`. */
function follows(buffer: Buffer, at: number, bytes: Buffer): boolean {
  if (at < bytes.length) return false;
  for (let i = 1; i <= bytes.length; i += 1) if (buffer[at - i] !== bytes[bytes.length - i]) return false;
  return true;
}

/**
 * Whether any segment holds U+212A KELVIN SIGN, which canonical JSON writes as `\u212a`: the one
 * character outside ASCII whose lower case is ASCII (`k`), so a key holding a `k` may match text
 * that the byte search for `k` does not find. JSON writes `\u` in lower case; the hex may be in either.
 */
export function holdsKelvinSign(buffers: readonly Buffer[]): boolean {
  const prefix = Buffer.from('\\u212', 'latin1');
  for (const buffer of buffers) {
    for (let at = buffer.indexOf(prefix); at !== -1; at = buffer.indexOf(prefix, at + 1)) {
      const next = buffer[at + prefix.length];
      if (next === 0x61 || next === 0x41) return true;
    }
  }
  return false;
}

function isLetter(code: number): boolean {
  return code >= 0x61 && code <= 0x7a;
}

/** Where the searched tail starts: the last three characters and the caseless ones before them. */
function tailOf(needle: string): number {
  let start = Math.max(0, needle.length - 3);
  while (start > 0 && !isLetter(needle.charCodeAt(start - 1))) start -= 1;
  return start;
}

/** Every casing of the ASCII letters of `text` (2^letters strings). */
function casings(text: string): string[] {
  let out = [''];
  for (const char of text) {
    const upper = char.toUpperCase();
    out = isLetter(char.charCodeAt(0)) ? out.flatMap((s) => [s + char, s + upper]) : out.map((s) => s + char);
  }
  return out;
}

/** Whether `buffer` at `at` holds `lower` (lower-case ASCII), its letters in any case. */
function sameLetters(buffer: Buffer, at: number, lower: Buffer): boolean {
  for (let i = 0; i < lower.length; i += 1) {
    const want = lower[i]!;
    const byte = buffer[at + i]!;
    if (byte !== want && !(isLetter(want) && (byte | 0x20) === want)) return false;
  }
  return true;
}
