import {isJsonObject, type JsonObject, type JsonValue} from '../../model/json.js';

/**
 * Atlassian Document Format (the JSON rich text of Jira Cloud v3 descriptions and comments)
 * to and from plain text with light Markdown. Writing produces paragraphs (blank-line
 * separated, single newlines as hard breaks), `#` headings, `-`/`1.` lists and fenced code
 * blocks; reading renders those back the same way, so text -> ADF -> text is stable, and
 * renders what else people type in Jira (mentions, emoji, links, cards, tables) as readable
 * text rather than dropping it.
 */

export interface AdfDocument extends JsonObject {
  type: 'doc';
  version: 1;
  content: JsonValue[];
}

export function textToAdf(text: string): AdfDocument {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const content: JsonValue[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (line.trim() === '') {
      i++;
      continue;
    }
    const fence = /^```(\S*)\s*$/.exec(line);
    if (fence) {
      const body: string[] = [];
      i++;
      while (i < lines.length && !/^```\s*$/.test(lines[i])) body.push(lines[i++]);
      i++; // closing fence (or end of text)
      const node: JsonObject = {
        type: 'codeBlock',
        content: body.length > 0 ? [textNode(body.join('\n'))] : [],
      };
      if (fence[1]) node.attrs = {language: fence[1]};
      content.push(node);
      continue;
    }
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    if (heading) {
      content.push({type: 'heading', attrs: {level: heading[1].length}, content: [textNode(heading[2])]});
      i++;
      continue;
    }
    if (/^[-*]\s+/.test(line) || /^\d+\.\s+/.test(line)) {
      const ordered = /^\d+\.\s+/.test(line);
      const pattern = ordered ? /^\d+\.\s+(.*)$/ : /^[-*]\s+(.*)$/;
      const items: JsonValue[] = [];
      while (i < lines.length && pattern.test(lines[i])) {
        const itemText = pattern.exec(lines[i])![1];
        items.push({type: 'listItem', content: [{type: 'paragraph', content: inline(itemText)}]});
        i++;
      }
      content.push({type: ordered ? 'orderedList' : 'bulletList', content: items});
      continue;
    }
    const paragraph: string[] = [];
    while (
      i < lines.length &&
      lines[i].trim() !== '' &&
      !/^```/.test(lines[i]) &&
      !/^#{1,6}\s/.test(lines[i]) &&
      !/^([-*]|\d+\.)\s+/.test(lines[i])
    ) {
      paragraph.push(lines[i++]);
    }
    const nodes: JsonValue[] = [];
    paragraph.forEach((part, index) => {
      if (index > 0) nodes.push({type: 'hardBreak'});
      nodes.push(...inline(part));
    });
    content.push({type: 'paragraph', content: nodes});
  }
  return {type: 'doc', version: 1, content};
}

/** Renders an ADF document (or a plain string, as Data Center and old payloads send) as text. */
export function adfToText(value: JsonValue | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (!isJsonObject(value)) return '';
  return blocks(children(value))
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

function textNode(text: string): JsonObject {
  return {type: 'text', text};
}

/** Inline text; empty text nodes are invalid ADF, so an empty line yields no node. */
function inline(text: string): JsonValue[] {
  return text === '' ? [] : [textNode(text)];
}

function children(node: JsonObject): JsonObject[] {
  return Array.isArray(node.content) ? node.content.filter(isJsonObject) : [];
}

function blocks(nodes: JsonObject[]): string {
  return nodes
    .map((node) => block(node))
    .filter((text) => text !== '')
    .join('\n\n');
}

function block(node: JsonObject): string {
  const attrs = isJsonObject(node.attrs) ? node.attrs : {};
  switch (node.type) {
    case 'paragraph':
      return inlineText(children(node));
    case 'heading': {
      const level = typeof attrs.level === 'number' ? Math.min(Math.max(attrs.level, 1), 6) : 1;
      return `${'#'.repeat(level)} ${inlineText(children(node))}`;
    }
    case 'codeBlock': {
      const language = typeof attrs.language === 'string' ? attrs.language : '';
      return `\`\`\`${language}\n${children(node)
        .map((n) => (typeof n.text === 'string' ? n.text : ''))
        .join('')}\n\`\`\``;
    }
    case 'bulletList':
    case 'orderedList':
      return children(node)
        .map((item, index) => {
          const marker = node.type === 'orderedList' ? `${index + 1}.` : '-';
          return `${marker} ${blocks(children(item)).replace(/\n\n/g, '\n  ')}`;
        })
        .join('\n');
    case 'blockquote':
      return blocks(children(node))
        .split('\n')
        .map((line) => `> ${line}`)
        .join('\n');
    case 'rule':
      return '---';
    case 'panel':
    case 'expand':
    case 'nestedExpand':
    case 'layoutSection':
    case 'layoutColumn':
    case 'mediaSingle':
    case 'mediaGroup':
      return blocks(children(node));
    case 'table':
      return children(node)
        .map(
          (row) =>
            `| ${children(row)
              .map((cell) => blocks(children(cell)).replace(/\n+/g, ' '))
              .join(' | ')} |`,
        )
        .join('\n');
    default:
      return node.content !== undefined ? blocks(children(node)) : inlineText([node]);
  }
}

function inlineText(nodes: JsonObject[]): string {
  return nodes.map(inlineNode).join('');
}

function inlineNode(node: JsonObject): string {
  const attrs = isJsonObject(node.attrs) ? node.attrs : {};
  const str = (value: JsonValue | undefined): string => (typeof value === 'string' ? value : '');
  switch (node.type) {
    case 'text': {
      const text = str(node.text);
      const marks = Array.isArray(node.marks) ? node.marks.filter(isJsonObject) : [];
      const link = marks.find((m) => m.type === 'link');
      const href = link && isJsonObject(link.attrs) ? str(link.attrs.href) : '';
      if (marks.some((m) => m.type === 'code')) return `\`${text}\``;
      return href && href !== text ? `[${text}](${href})` : text;
    }
    case 'hardBreak':
      return '\n';
    case 'mention':
      return str(attrs.text) || `@${str(attrs.id)}`;
    case 'emoji':
      return str(attrs.text) || str(attrs.shortName);
    case 'inlineCard':
    case 'blockCard':
      return str(attrs.url);
    case 'date':
      return str(attrs.timestamp) ? new Date(Number(attrs.timestamp)).toISOString().slice(0, 10) : '';
    case 'status':
      return str(attrs.text);
    case 'media':
      return '';
    default:
      return node.content !== undefined ? inlineText(children(node)) : str(node.text);
  }
}
