/**
 * Finding the lines of JSONL segments (held as bytes) that hold a needle, without decoding them:
 * what the targeted scan of the first `show` searches with. A line is `[segment, start, end]`,
 * `end` being the offset of its newline.
 */
export type LineSpan = [segment: number, start: number, end: number];

/** The lines of `buffers` holding `needle` byte for byte (each line once). */
export function linesHolding(buffers: readonly Buffer[], needle: string): LineSpan[] {
  const lines: LineSpan[] = [];
  const bytes = Buffer.from(needle, 'utf8');
  for (let s = 0; s < buffers.length; s += 1) {
    const buffer = buffers[s]!;
    for (let at = buffer.indexOf(bytes); at !== -1;) {
      const end = buffer.indexOf(10, at);
      lines.push([s, buffer.lastIndexOf(10, at) + 1, end]);
      at = buffer.indexOf(bytes, end);
    }
  }
  return lines;
}

/**
 * The lines of `buffers` holding `needle` with its ASCII letters in any case (`proj-7"` finds
 * `PROJ-7"` and `Proj-7"`); `needle` is printable ASCII with its letters in lower case. Letters
 * have no fixed bytes, so `Buffer.indexOf` looks for a short tail of the needle in each of its
 * casings (its last three characters and the caseless ones before them: `-7"`, one casing; `b2"`,
 * two), and the bytes before each match are compared with the rest of the needle. About the cost
 * of one exact search per casing of the tail; lowering a copy of the bytes first costs some
 * twenty times more.
 */
export function linesHoldingCaseless(buffers: readonly Buffer[], needle: string): LineSpan[] {
  const tailStart = tailOf(needle);
  const head = Buffer.from(needle.slice(0, tailStart), 'latin1');
  const lines: LineSpan[] = [];
  for (const casing of casings(needle.slice(tailStart))) {
    const tail = Buffer.from(casing, 'latin1');
    for (let s = 0; s < buffers.length; s += 1) {
      const buffer = buffers[s]!;
      for (let at = buffer.indexOf(tail, head.length); at !== -1;) {
        if (!sameLetters(buffer, at - head.length, head)) {
          at = buffer.indexOf(tail, at + 1);
          continue;
        }
        const end = buffer.indexOf(10, at);
        lines.push([s, buffer.lastIndexOf(10, at) + 1, end]);
        at = buffer.indexOf(tail, end);
      }
    }
  }
  // A line holding the needle in two casings came once per casing.
  lines.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  return lines.filter((line, i) => i === 0 || line[0] !== lines[i - 1]![0] || line[1] !== lines[i - 1]![1]);
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
