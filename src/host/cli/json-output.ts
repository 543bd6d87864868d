import {canonicalJson, canonicalJsonChunks} from '../../core/serialization/canonical-json.js';

/**
 * The one JSON form every `--json` output uses: keys sorted at every depth, 2-space indent,
 * non-ASCII as `\uXXXX` (Python's `json.dumps(v, sort_keys=True, indent=2)`), so scripts written
 * against spec-kitty's Python tracker see identical bytes for identical data.
 */
export function stableJson(value: unknown): string {
  return canonicalJson(value, {indent: 2});
}

/**
 * `stableJson(value)` and a newline, handed to `write` in chunks as it is produced, each once the
 * previous one is taken (`write` resolves after `drain` on a full pipe): a dry run's plan with
 * every new issue's body is tens of megabytes, which printing as one string held several times
 * over (the document, its copy with the newline, the bytes queued on the pipe).
 */
export async function writeStableJson(
  value: unknown,
  write: (chunk: string) => Promise<void>,
): Promise<void> {
  let held: string | null = null;
  // One chunk behind, so that the newline goes out with the last one, not as a write of its own.
  for (const chunk of canonicalJsonChunks(value, {indent: 2})) {
    if (held !== null) await write(held);
    held = chunk;
  }
  await write(`${held ?? ''}\n`);
}
