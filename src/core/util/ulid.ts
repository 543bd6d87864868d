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
  let lastTimeText = '';
  let lastRandom: number[] = [];
  return () => {
    const time = clock.now().getTime();
    if (time <= lastTime) {
      lastRandom = increment(lastRandom);
    } else {
      lastTime = time;
      lastTimeText = encodeTime(time);
      lastRandom = Array.from(randomBytes(10));
    }
    return lastTimeText + encodeRandom(lastRandom);
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

function encodeTime(time: number): string {
  let out = '';
  let rest = time;
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[rest % 32]! + out;
    rest = Math.floor(rest / 32);
  }
  return out;
}

/** 80 bits -> 16 base32 characters, most significant first (5 bits each, no remainder). */
export function encodeRandom(bytes: readonly number[]): string {
  let out = '';
  let acc = 0;
  let accBits = 0;
  for (const byte of bytes) {
    acc = (acc << 8) | byte;
    accBits += 8;
    while (accBits >= 5) {
      accBits -= 5;
      out += ALPHABET[(acc >> accBits) & 31]!;
    }
    acc &= (1 << accBits) - 1;
  }
  return out;
}

function increment(bytes: number[]): number[] {
  const out = [...bytes];
  for (let i = out.length - 1; i >= 0; i--) {
    if (out[i]! < 255) {
      out[i]! += 1;
      return out;
    }
    out[i] = 0;
  }
  return out;
}
