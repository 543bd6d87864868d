import {canonicalJson} from '../../core/serialization/canonical-json.js';

/**
 * The one JSON form every `--json` output uses: keys sorted at every depth, 2-space indent,
 * non-ASCII as `\uXXXX` (Python's `json.dumps(v, sort_keys=True, indent=2)`), so scripts written
 * against spec-kitty's Python tracker see identical bytes for identical data.
 */
export function stableJson(value: unknown): string {
  return canonicalJson(value, {indent: 2});
}
