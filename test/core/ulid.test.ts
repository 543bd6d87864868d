import {expect} from 'chai';

import {ManualClock, ULID_PATTERN, createUlidFactory, ulidTime} from '../../src/core/index.js';

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
});
