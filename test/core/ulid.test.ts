import {expect} from 'chai';

import {ManualClock, ULID_PATTERN, createUlidFactory, ulidTime} from '../../src/core/index.js';
import {encodeRandom} from '../../src/core/util/ulid.js';

describe('ULID factory', () => {
  it('mints valid, time-prefixed ids that sort in mint order within one millisecond', () => {
    const clock = new ManualClock('2026-03-10T10:14:18.495Z');
    const next = createUlidFactory(clock);
    const ids = Array.from({length: 50}, () => next());
    for (const id of ids) expect(id).to.match(ULID_PATTERN);
    expect([...ids].sort()).to.deep.equal(ids);
    expect(new Set(ids).size).to.equal(50);
    expect(ulidTime(ids[0]!)).to.equal(Date.parse('2026-03-10T10:14:18.495Z'));
    clock.advance(1);
    expect(next() > ids[49]!).to.equal(true);
  });

  it('never goes backwards when the clock does', () => {
    const clock = new ManualClock('2026-03-10T10:00:00Z');
    const next = createUlidFactory(clock);
    const first = next();
    clock.advance(-5000);
    expect(next() > first).to.equal(true);
  });

  it('encodes the 80 random bits as the 16 base32 digits of their big-endian value', () => {
    const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
    const reference = (bytes: number[]): string => {
      let bits = 0n;
      for (const byte of bytes) bits = (bits << 8n) | BigInt(byte);
      let out = '';
      for (let i = 0; i < 16; i++, bits >>= 5n) out = alphabet[Number(bits & 31n)]! + out;
      return out;
    };
    const samples = [Array(10).fill(0), Array(10).fill(255), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]];
    for (let i = 0; i < 200; i++)
      samples.push(Array.from({length: 10}, () => Math.floor(Math.random() * 256)));
    for (const bytes of samples) expect(encodeRandom(bytes)).to.equal(reference(bytes));
  });

  it('mints the same ids as the straightforward implementation, carries and clock steps included', () => {
    // The factory as first written: strings concatenated, the random part as a number array.
    const reference = (clock: {now(): Date}, randomBytes: (n: number) => Uint8Array) => {
      const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
      let lastTime = -1;
      let lastTimeText = '';
      let lastRandom: number[] = [];
      return () => {
        const time = clock.now().getTime();
        if (time <= lastTime) {
          const out = [...lastRandom];
          for (let i = out.length - 1; i >= 0; i--) {
            if (out[i]! < 255) {
              out[i]! += 1;
              break;
            }
            out[i] = 0;
          }
          lastRandom = out;
        } else {
          lastTime = time;
          lastTimeText = '';
          let rest = time;
          for (let i = 0; i < 10; i++, rest = Math.floor(rest / 32))
            lastTimeText = alphabet[rest % 32]! + lastTimeText;
          lastRandom = Array.from(randomBytes(10));
        }
        return lastTimeText + encodeRandom(lastRandom);
      };
    };
    let seed = 7;
    const rnd = (): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    // Random bytes, often ending in 255s so that increments carry (and once all 255s: a wrap).
    const draws: Uint8Array[] = [new Uint8Array(10).fill(255)];
    for (let i = 0; i < 400; i++) {
      const bytes = Uint8Array.from({length: 10}, () => Math.floor(rnd() * 256));
      if (rnd() < 0.5) bytes.fill(255, 5 + Math.floor(rnd() * 5));
      draws.push(bytes);
    }
    const times: number[] = [];
    let t = Date.parse('2026-03-10T10:00:00Z');
    for (let i = 0; i < 2000; i++) {
      const roll = rnd();
      t += roll < 0.6 ? 0 : roll < 0.9 ? 1 : roll < 0.95 ? -3 : 1000;
      times.push(t);
    }
    const run = (factory: typeof createUlidFactory | typeof reference): string[] => {
      let at = 0;
      let drawn = 0;
      const clock = {now: () => new Date(times[at]!)};
      const next = factory(clock as ManualClock, () => draws[drawn++ % draws.length]!);
      const out: string[] = [];
      for (at = 0; at < times.length; at++) out.push(next());
      return out;
    };
    const ids = run(createUlidFactory);
    expect(ids).to.deep.equal(run(reference));
    for (const id of ids) expect(id).to.match(ULID_PATTERN);
  });
});
