import {parse as parseYaml, YAMLParseError} from 'yaml';

/**
 * YAML frontmatter of work-package files. Hundreds of missions mean thousands of files, and a
 * full YAML parse costs ~0.1 ms each, so the keys the tracker needs are read by a small scanner
 * that understands exactly the forms spec-kitty writes (plain and quoted scalars, block and flow
 * lists of scalars). Anything else in a wanted key (block scalars, nested maps, anchors, escapes
 * it cannot prove right) makes it give up, and the full `yaml` parser reads the file instead, so
 * what it returns for those keys is what a YAML parser would say (a property test checks this).
 * Lines of keys it does not read are skipped without being validated.
 */

export interface SplitDocument {
  /** The YAML between the `---` fences, or null when the file has no frontmatter. */
  readonly yaml: string | null;
  readonly body: string;
  /** 1-based line of the first YAML line (for error positions). */
  readonly yamlStartLine: number;
}

export function splitFrontmatter(text: string): SplitDocument {
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const firstEnd = source.indexOf('\n');
  const firstLine = (firstEnd === -1 ? source : source.slice(0, firstEnd)).replace(/\r$/, '');
  if (firstLine.trimEnd() !== '---') return {yaml: null, body: source, yamlStartLine: 1};
  let position = firstEnd + 1;
  while (position > 0 && position <= source.length) {
    const end = source.indexOf('\n', position);
    const line = (end === -1 ? source.slice(position) : source.slice(position, end)).replace(/\r$/, '');
    const trimmed = line.trimEnd();
    if (trimmed === '---' || trimmed === '...') {
      const yaml = source.slice(firstEnd + 1, position);
      const body = end === -1 ? '' : source.slice(end + 1);
      return {yaml, body, yamlStartLine: 2};
    }
    if (end === -1) break;
    position = end + 1;
  }
  // An opening fence without a closing one: not frontmatter (spec-kitty reads it the same way).
  return {yaml: null, body: source, yamlStartLine: 1};
}

export type FrontmatterValue =
  string | number | boolean | null | FrontmatterValue[] | {[key: string]: FrontmatterValue};

export type FrontmatterResult =
  | {readonly ok: true; readonly values: Readonly<Record<string, unknown>>; readonly fast: boolean}
  | {readonly ok: false; readonly message: string; readonly line: number | null};

/** Reads `keys` from the frontmatter YAML (fast path first, full parser when needed). */
export function readFrontmatter(yaml: string, keys: readonly string[], yamlStartLine = 2): FrontmatterResult {
  const fast = scanFrontmatter(yaml, new Set(keys));
  if (fast !== null) return {ok: true, values: fast, fast: true};
  return parseFully(yaml, keys, yamlStartLine);
}

function parseFully(yaml: string, keys: readonly string[], yamlStartLine: number): FrontmatterResult {
  let parsed: unknown;
  try {
    parsed = parseYaml(yaml, {prettyErrors: true, uniqueKeys: false});
  } catch (error) {
    if (error instanceof YAMLParseError) {
      const line = error.linePos?.[0]?.line;
      return {
        ok: false,
        message: `malformed YAML frontmatter: ${error.message.split('\n')[0]}`,
        line: line === undefined ? null : line + yamlStartLine - 1,
      };
    }
    return {ok: false, message: `malformed YAML frontmatter: ${(error as Error).message}`, line: null};
  }
  if (parsed === null || parsed === undefined) return {ok: true, values: {}, fast: false};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    return {ok: false, message: 'the frontmatter is not a YAML mapping', line: yamlStartLine};
  }
  const out: Record<string, unknown> = {};
  for (const key of keys) if (key in (parsed as object)) out[key] = (parsed as Record<string, unknown>)[key];
  return {ok: true, values: out, fast: false};
}

const KEY_LINE = /^([A-Za-z_][A-Za-z0-9_-]*)[ \t]*:(?:[ \t]+(.*)|[ \t]*)$/;

/**
 * The fast path. Returns null whenever the input is outside the subset it can read exactly.
 * Exported for the equivalence test against the full parser.
 */
export function scanFrontmatter(yaml: string, wanted: ReadonlySet<string>): Record<string, unknown> | null {
  const lines = yaml.split('\n');
  const out: Record<string, unknown> = {};
  const seen = new Set<string>();
  let i = 0;
  while (i < lines.length) {
    const line = lines[i].replace(/\r$/, '');
    if (line.trim() === '' || line.trimStart().startsWith('#')) {
      i += 1;
      continue;
    }
    if (line.includes('\t')) return null;
    const match = KEY_LINE.exec(line);
    if (match === null) return null; // not a top-level `key:` line (flow map, complex key, stray text...)
    const key = match[1];
    if (seen.has(key)) return null; // duplicate keys: let the full parser decide
    seen.add(key);
    const rest = stripComment(match[2] ?? '');
    // The block that belongs to this key: following indented lines or `- ` items at column 0.
    let end = i + 1;
    while (end < lines.length) {
      const next = lines[end].replace(/\r$/, '');
      if (
        next.trim() === '' ||
        next.startsWith(' ') ||
        next.startsWith('-') ||
        next.trimStart().startsWith('#')
      )
        end += 1;
      else break;
    }
    const block = lines.slice(i + 1, end).map((l) => l.replace(/\r$/, ''));
    i = end;
    if (!wanted.has(key)) {
      // Keys it does not read are skipped, but an inline value that is an anchor, alias, tag,
      // flow collection or block scalar could make the document invalid: let the parser judge.
      if (rest === null || /^[[{*&!|>%@`]/.test(rest)) return null;
      continue;
    }
    if (rest === null) return null;
    const value = readValue(rest, block);
    if (value === undefined) return null;
    out[key] = value;
  }
  return out;
}

/** The value of a key from its inline text and its block; undefined when outside the subset. */
function readValue(inline: string, block: readonly string[]): unknown {
  const content = block.filter((l) => l.trim() !== '' && !l.trimStart().startsWith('#'));
  if (inline !== '') {
    if (content.length > 0) return undefined; // multi-line plain scalar or odd continuation
    if (inline.startsWith('[')) return readFlowList(inline);
    return readScalar(inline);
  }
  if (content.length === 0) return null;
  const items: unknown[] = [];
  let indent: number | null = null;
  for (const line of content) {
    const lead = line.length - line.trimStart().length;
    const trimmed = line.trimStart();
    if (!(trimmed === '-' || trimmed.startsWith('- '))) return undefined; // nested map or continuation
    if (indent === null) indent = lead;
    else if (lead !== indent) return undefined;
    const itemText = stripComment(trimmed.slice(1).trimStart());
    if (itemText === null) return undefined;
    if (itemText === '') {
      items.push(null);
      continue;
    }
    if (/^[[{]/.test(itemText) || /^[A-Za-z_][\w-]*[ \t]*:([ \t]|$)/.test(itemText)) return undefined;
    const value = readScalar(itemText);
    if (value === undefined) return undefined;
    items.push(value);
  }
  return items;
}

function readFlowList(text: string): unknown {
  if (!text.endsWith(']')) return undefined;
  const inner = text.slice(1, -1).trim();
  if (inner === '') return [];
  if (/[[\]{}]/.test(inner)) return undefined;
  const parts: string[] = [];
  let current = '';
  let quote: string | null = null;
  for (let k = 0; k < inner.length; k++) {
    const ch = inner[k];
    if (quote !== null) {
      current += ch;
      if (ch === quote) {
        if (quote === "'" && inner[k + 1] === "'") {
          current += "'";
          k += 1;
        } else quote = null;
      } else if (ch === '\\' && quote === '"') return undefined;
      continue;
    }
    if (ch === '"' || ch === "'") {
      quote = ch;
      current += ch;
    } else if (ch === ',') {
      parts.push(current.trim());
      current = '';
    } else current += ch;
  }
  if (quote !== null) return undefined;
  if (current.trim() !== '') parts.push(current.trim());
  const values: unknown[] = [];
  for (const part of parts) {
    if (part === '' || part.includes(': ') || part.startsWith('#')) return undefined;
    const value = readScalar(part);
    if (value === undefined) return undefined;
    values.push(value);
  }
  return values;
}

/** A single scalar; undefined when it is not one the scanner reads exactly. */
function readScalar(text: string): unknown {
  if (text.startsWith("'")) {
    if (!text.endsWith("'") || text.length < 2) return undefined;
    const inner = text.slice(1, -1);
    if (inner.replace(/''/g, '').includes("'")) return undefined;
    return inner.replace(/''/g, "'");
  }
  if (text.startsWith('"')) {
    if (!text.endsWith('"') || text.length < 2) return undefined;
    const inner = text.slice(1, -1);
    if (inner.includes('\\') || inner.includes('"')) return undefined;
    return inner;
  }
  if (/^[|>&*!%@`{}[\],?]/.test(text) || text.startsWith('- ') || text === '-') return undefined;
  if (text.includes(': ') || text.endsWith(':')) return undefined;
  if (/^(null|Null|NULL|~)$/.test(text)) return null;
  if (/^(true|True|TRUE)$/.test(text)) return true;
  if (/^(false|False|FALSE)$/.test(text)) return false;
  // Numbers: YAML 1.2 core schema ints and floats (anything number-like that is not plainly one
  // of these, e.g. `0x1F`, `1e3`, `.5`, is left to the full parser).
  if (/^[-+]?[0-9]+$/.test(text)) return Number(text);
  if (/^[-+]?([0-9]+\.[0-9]*)$/.test(text)) return Number(text);
  if (/^[-+.0-9]/.test(text) && /^[-+]?(\.[0-9]|[0-9]*\.?[0-9]*[eE]|0[xo]|\.inf|\.nan)/i.test(text))
    return undefined;
  if (/^\.(inf|nan|Inf|NaN|INF|NAN)$/.test(text)) return undefined;
  return text;
}

/** Removes a trailing ` # comment` outside quotes; null when quoting is unbalanced. */
function stripComment(text: string): string | null {
  const trimmed = text.trim();
  if (trimmed.startsWith('#')) return '';
  let quote: string | null = null;
  if (trimmed.startsWith('"') || trimmed.startsWith("'")) quote = trimmed[0];
  if (quote !== null) {
    // A quoted scalar: the comment, if any, comes after the closing quote.
    let k = 1;
    while (k < trimmed.length) {
      if (trimmed[k] === quote) {
        if (quote === "'" && trimmed[k + 1] === "'") {
          k += 2;
          continue;
        }
        break;
      }
      if (quote === '"' && trimmed[k] === '\\') k += 1;
      k += 1;
    }
    if (k >= trimmed.length) return null;
    const after = trimmed.slice(k + 1);
    if (after.trim() === '') return trimmed;
    if (/^[ \t]+#/.test(after)) return trimmed.slice(0, k + 1);
    return null;
  }
  const hash = trimmed.search(/[ \t]#/);
  return hash === -1 ? trimmed : trimmed.slice(0, hash).trimEnd();
}
