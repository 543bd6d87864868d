import type {Clock} from '../protocols/runtime.js';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const ULID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/**
 * Monotonic ULID factory: 48-bit millisecond time + 80 random bits, Crockford base32. Within one
 * millisecond the random part is incremented, so ids minted by one writer sort in mint order.
 */
export function createUlidFactory(
  clock: Clock,
  randomBytes: (n: number) => Uint8Array = defaultRandomBytes,
): () => string {
  let lastTime = -1;
  // The id's character codes: 10 time digits, then 16 random ones. Made into a string in one
  // call: built by concatenation, an id is a rope of several pieces, and a pull keeps 50,000 ids
  // (every event's) in memory.
  const codes: number[] = new Array<number>(26).fill(48);
  const random = new Uint8Array(10);
  return () => {
    const time = clock.now().getTime();
    if (time <= lastTime) {
      increment(random);
    } else {
      lastTime = time;
      encodeTimeInto(time, codes);
      random.set(randomBytes(10).subarray(0, 10));
    }
    encodeRandomInto(random, codes, 10);
    return String.fromCharCode.apply(null, codes);
  };
}

export function ulidTime(id: string): number {
  let time = 0;
  for (const ch of id.slice(0, 10)) time = time * 32 + ALPHABET.indexOf(ch);
  return time;
}

function defaultRandomBytes(n: number): Uint8Array {
  const bytes = new Uint8Array(n);
  globalThis.crypto.getRandomValues(bytes);
  return bytes;
}

function encodeTimeInto(time: number, codes: number[]): void {
  let rest = time;
  for (let i = 9; i >= 0; i--) {
    codes[i] = ALPHABET_CODES[rest % 32]!;
    rest = Math.floor(rest / 32);
  }
}

const ALPHABET_CODES = [...ALPHABET].map((ch) => ch.charCodeAt(0));

/** 80 bits -> 16 base32 characters, most significant first (5 bits each, no remainder). */
export function encodeRandom(bytes: ArrayLike<number>): string {
  const codes = new Array<number>(16);
  encodeRandomInto(bytes, codes, 0);
  return String.fromCharCode.apply(null, codes);
}

/** `encodeRandom`'s character codes, into `codes` from `at` on. */
function encodeRandomInto(bytes: ArrayLike<number>, codes: number[], at: number): void {
  let acc = 0;
  let accBits = 0;
  for (let i = 0; i < 10; i++) {
    acc = (acc << 8) | bytes[i]!;
    accBits += 8;
    while (accBits >= 5) {
      accBits -= 5;
      codes[at++] = ALPHABET_CODES[(acc >> accBits) & 31]!;
    }
    acc &= (1 << accBits) - 1;
  }
}

/** Adds one to the 80-bit big-endian value, in place (wrapping to zero, as a counter would). */
function increment(bytes: Uint8Array): void {
  for (let i = bytes.length - 1; i >= 0; i--) {
    if (bytes[i]! < 255) {
      bytes[i]! += 1;
      return;
    }
    bytes[i] = 0;
  }
}
