/**
 * Makes text from a tracker or a file inert before it reaches a terminal (or a pipe a terminal
 * may show later) in text mode. A title like `\x1b]0;pwned\x07\x1b[2J` would retitle the window
 * and clear the screen; a C1 CSI (`\x9b`), BS or CR would overwrite what was printed before it;
 * a bidi override (U+202E) would show a line in an order other than its bytes. Each such
 * character is replaced by a visible escape (`\x1b`, `\x9b`, `\u202e`), so the user sees that it
 * was there and nothing acts on it. `--json` needs none of this: the JSON writer escapes them.
 *
 * What stays: printable text of every script, and, in multi-line text (a body, a comment),
 * newline and tab, which such text legitimately has. A one-line value (a title, a label, a user
 * name, a cell of a table) escapes those too, so it cannot break a row or forge a line.
 */

/**
 * C0 controls, DEL, C1 controls, the bidi embeddings, overrides and isolates, the implicit
 * direction marks and the line and paragraph separators (a line break to some terminals).
 */
/* eslint-disable no-control-regex -- matching control characters is the point */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const UNSAFE_KEEPING_LINES =
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
/* eslint-enable no-control-regex */

function escape(char: string): string {
  const code = char.charCodeAt(0);
  return code <= 0xff
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** A one-line value (title, label, name, table cell) made inert: newline and tab escaped too. */
export function inertLine(text: string): string {
  return text.replace(UNSAFE, escape);
}

/** Multi-line text (a body, a whole output line) made inert; newline and tab kept. */
export function inertText(text: string): string {
  return text.replace(UNSAFE_KEEPING_LINES, escape);
}
