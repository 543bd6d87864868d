/**
 * Jira Data Center stores descriptions and comments as wiki markup (a plain string). Most
 * plain text is valid wiki text as it is; the one construct people paste that wiki markup
 * renders badly is a fenced code block, which becomes `{code}` and back, so text -> wiki ->
 * text is stable. Headings (`h1.`) and lists (`*`, `#`) are left as typed.
 */

export function textToWiki(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/^```(\S*)[ \t]*\n([\s\S]*?)\n?```[ \t]*$/gm, (_m, language: string, body: string) =>
      language ? `{code:${language}}\n${body}\n{code}` : `{code}\n${body}\n{code}`,
    );
}

export function wikiToText(wiki: string | null | undefined): string {
  if (!wiki) return '';
  return wiki
    .replace(/\r\n?/g, '\n')
    .replace(
      /^\{code(?::([^}|]*))?[^}]*\}[ \t]*\n([\s\S]*?)\n?\{code\}[ \t]*$/gm,
      (_m, language: string | undefined, body: string) => `\`\`\`${language ?? ''}\n${body}\n\`\`\``,
    )
    .trim();
}
