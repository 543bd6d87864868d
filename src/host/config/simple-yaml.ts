/**
 * The plain YAML the tracker writes to `.kittify/config.yaml` (nested mappings of plain words,
 * whole numbers and `{}`), read without the YAML library: its parser, cold in a fresh process,
 * costs about 5 ms of the 80 a read command takes. Anything outside that subset (quotes,
 * comments, lists, anchors, flow collections other than `{}`, numbers other than plain decimal
 * integers, words the YAML core schema reads as something else, tabs, duplicate keys) returns
 * `undefined`, and the caller parses the file with the library, which also reports errors. For
 * what it accepts, the result is the library's `toJS()` (a property test compares the two).
 */
export function parseSimpleYaml(text: string): Record<string, unknown> | undefined {
  if (text.includes('\t') || text.includes('\r') || text.includes('#')) return undefined;
  const lines: {indent: number; key: string; value: string}[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const match = LINE.exec(line);
    if (match === null) return undefined;
    lines.push({indent: match[1]!.length, key: match[2]!, value: match[3] ?? ''});
  }
  if (lines.length === 0 || lines[0]!.indent !== 0) return undefined;
  const at = {next: 0};
  const root = mapping(lines, at, 0);
  return at.next === lines.length ? root : undefined;
}

/** `indent key:` or `indent key: value` (one space after the colon, none after the value). */
const LINE = /^( *)([A-Za-z_][A-Za-z0-9_-]*):(?: ([^ ].*?))?$/;

/** A plain scalar YAML reads as this same string under the core schema. */
const WORD = /^[A-Za-z_/][A-Za-z0-9_./@+=-]*(?::[A-Za-z0-9_./@+=-]+)*$/;

/** Words the core schema reads as booleans or null (as keys too), whatever their case variant. */
const SPECIAL = new Set(['true', 'True', 'TRUE', 'false', 'False', 'FALSE', 'null', 'Null', 'NULL']);

function mapping(
  lines: readonly {indent: number; key: string; value: string}[],
  at: {next: number},
  indent: number,
): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  while (at.next < lines.length && lines[at.next]!.indent === indent) {
    const {key, value} = lines[at.next]!;
    at.next += 1;
    if (Object.hasOwn(out, key) || key === '__proto__' || SPECIAL.has(key)) return undefined;
    if (value !== '') {
      const scalar = scalarOf(value);
      if (scalar === undefined) return undefined;
      out[key] = scalar;
      continue;
    }
    const child = at.next < lines.length ? lines[at.next]!.indent : -1;
    if (child > indent) {
      const nested = mapping(lines, at, child);
      if (nested === undefined) return undefined;
      out[key] = nested;
    } else out[key] = null;
  }
  if (at.next < lines.length && lines[at.next]!.indent > indent) return undefined;
  return out;
}

function scalarOf(value: string): unknown {
  if (value === '{}') return {};
  if (/^(?:0|[1-9][0-9]{0,14})$/.test(value)) return Number(value);
  if (WORD.test(value) && !SPECIAL.has(value)) return value;
  return undefined;
}
