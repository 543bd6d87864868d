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
});
