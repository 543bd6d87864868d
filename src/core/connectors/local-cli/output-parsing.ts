import {parse as parseLenient, type ParseError} from 'jsonc-parser';

import {IssuePayloadContractError, TrackerError} from '../../errors.js';
import type {JsonValue} from '../../model/json.js';

const SNIPPET_CHARS = 120;

/**
 * Parses a tool's stdout as JSON. Empty output gives `null` (the caller decides whether that
 * is fine); malformed output gives an `IssuePayloadContractError` naming the line and column of
 * the output where parsing stopped, what was there and what was expected.
 */
export function parseJsonOutput(
  provider: string,
  what: string,
  text: string,
  expected: string,
): JsonValue | null {
  if (text.trim() === '') return null;
  try {
    return JSON.parse(text) as JsonValue;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const position = /position (\d+)/.exec(reason);
    const offset = position ? Number(position[1]) : firstErrorOffset(text);
    const where = offset === null ? null : lineAndColumn(text, offset);
    const at = where
      ? ` at line ${where.line}, column ${where.column} (${JSON.stringify(snippet(where.text))})`
      : '';
    throw new IssuePayloadContractError(
      `${provider}: the output of ${what} is not valid JSON${at}; expected ${expected}`,
      {
        cause: error,
        hint: 'Check that the configured command is the real tool and that its version prints JSON with --json.',
      },
    );
  }
}

/** An error about the shape of parsed output, naming where in the output and what was expected. */
export function payloadError(
  provider: string,
  what: string,
  where: string,
  expected: string,
  got?: unknown,
): IssuePayloadContractError {
  const gotText = got === undefined ? '' : `, got ${snippet(describeValue(got))}`;
  return new IssuePayloadContractError(
    `${provider}: ${where} of the output of ${what}: expected ${expected}${gotText}`,
  );
}

/** Re-raises a validation failure while mapping one item of output as a payload error. */
export function asPayloadError(provider: string, what: string, where: string, error: unknown): Error {
  if (error instanceof IssuePayloadContractError) return error;
  if (error instanceof TrackerError) {
    return new IssuePayloadContractError(`${provider}: ${where} of the output of ${what}: ${error.message}`, {
      cause: error,
    });
  }
  return error instanceof Error ? error : new Error(String(error));
}

export function snippet(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > SNIPPET_CHARS ? `${flat.slice(0, SNIPPET_CHARS)}…` : flat;
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * Where a text stops being JSON, for the errors V8 reports without a position ("Unexpected token
 * ...", "Unexpected end of JSON input"): the offset of the first token a strict JSON parser
 * rejects (the start of a misspelt word such as `nul`, not the letter), or null when none does.
 */
function firstErrorOffset(text: string): number | null {
  const errors: ParseError[] = [];
  parseLenient(text, errors, {disallowComments: true, allowTrailingComma: false, allowEmptyContent: false});
  return errors[0]?.offset ?? null;
}

function lineAndColumn(text: string, position: number): {line: number; column: number; text: string} {
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  const lineStart = before.lastIndexOf('\n') + 1;
  const lineEnd = text.indexOf('\n', lineStart);
  return {
    line,
    column: position - lineStart + 1,
    text: text.slice(lineStart, lineEnd === -1 ? undefined : lineEnd),
  };
}
