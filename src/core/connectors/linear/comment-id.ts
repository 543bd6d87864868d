import {stableHash} from '../../sync/idempotency-key.js';

/**
 * The id of the Linear comment posted with idempotency key `key`: `commentCreate` accepts an id
 * chosen by the client (UUID v4 format), so the key maps to one UUID and a lookup asks for the
 * comment by that id. 128 bits from two salted 64-bit hashes, with the version (4) and variant
 * (10xx) bits set as UUID v4 requires.
 */
export function linearCommentId(key: string): string {
  const hex = (stableHash(['spec-kitty-comment', key]) + stableHash(['spec-kitty-comment-2', key])).split('');
  hex[12] = '4';
  hex[16] = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  const h = hex.join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}
