/**
 * The plain text of an Atlassian Document Format value, for tests that read what a comment or
 * description says. Written from the ADF structure (a `doc` holds block nodes, blocks hold
 * inline nodes or further blocks; `text` nodes carry the characters, `hardBreak` is a line
 * break, `mention`/`emoji`/`inlineCard` carry their text in `attrs`), not from the connector:
 * blocks are separated by a blank line, list items by a line break.
 */
type Json = null | boolean | number | string | Json[] | {[key: string]: Json};

const isObject = (value: unknown): value is {[key: string]: Json} =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function contentOf(node: {[key: string]: Json}): {[key: string]: Json}[] {
  return Array.isArray(node.content) ? node.content.filter(isObject) : [];
}

function inlineText(node: {[key: string]: Json}): string {
  const attrs = isObject(node.attrs) ? node.attrs : {};
  switch (node.type) {
    case 'text':
      return typeof node.text === 'string' ? node.text : '';
    case 'hardBreak':
      return '\n';
    case 'mention':
    case 'emoji':
      return typeof attrs.text === 'string'
        ? attrs.text
        : typeof attrs.shortName === 'string'
          ? attrs.shortName
          : '';
    case 'inlineCard':
      return typeof attrs.url === 'string' ? attrs.url : '';
    default:
      return contentOf(node).map(inlineText).join('');
  }
}

const LIST_TYPES = new Set(['bulletList', 'orderedList', 'taskList']);

function blockText(node: {[key: string]: Json}): string {
  const children = contentOf(node);
  const hasBlocks = children.some(
    (c) => c.type !== 'text' && !['hardBreak', 'mention', 'emoji', 'inlineCard'].includes(String(c.type)),
  );
  if (!hasBlocks) return inlineText(node);
  const separator = LIST_TYPES.has(String(node.type)) ? '\n' : '\n\n';
  return children
    .map(blockText)
    .filter((t) => t !== '')
    .join(separator);
}

/** The text of an ADF document; a plain string (Data Center, old payloads) is returned as is. */
export function adfPlainText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (!isObject(value)) return '';
  return blockText(value);
}
