import type {JsonValue} from '../model/json.js';
import {canonicalJson} from '../serialization/canonical-json.js';

/**
 * A short stable hash (FNV-1a, 64 bit, hex) of a JSON value. Not cryptographic: it only has to
 * give the same update the same idempotency key on a retry, and different updates different keys.
 */
export function stableHash(value: JsonValue): string {
  const text = canonicalJson(value);
  let hash = 0xcbf29ce484222325n;
  const prime = 0x100000001b3n;
  const mask = 0xffffffffffffffffn;
  for (let i = 0; i < text.length; i++) {
    hash ^= BigInt(text.charCodeAt(i));
    hash = (hash * prime) & mask;
  }
  return hash.toString(16).padStart(16, '0');
}

/** The idempotency key of an update: same issue and same patch -> same key. */
export function updateIdempotencyKey(identity: string, patch: JsonValue): string {
  return `sync:${identity}:${stableHash(patch)}`;
}
