import {expect} from 'chai';
import fc from 'fast-check';

import {compareEvents, orderEvents, type TrackerEvent} from '../../src/core/index.js';

/** The order as first written: instants first, then the strings, then the ids. */
function reference(a: {at: string; event_id: string}, b: {at: string; event_id: string}): number {
  const ta = Date.parse(a.at);
  const tb = Date.parse(b.at);
  if (ta !== tb) return ta - tb;
  if (a.at !== b.at) return a.at < b.at ? -1 : 1;
  return a.event_id < b.event_id ? -1 : a.event_id > b.event_id ? 1 : 0;
}

// `toISOString` form (ours) and the incumbent's `+00:00` microsecond form, for nearby instants.
const stamp = fc.tuple(fc.integer({min: 0, max: 5_000}), fc.boolean()).map(([offset, python]) => {
  const iso = new Date(Date.UTC(2026, 2, 10, 10, 0, 0) + offset).toISOString();
  return python ? `${iso.slice(0, 23)}000+00:00` : iso;
});
const event = fc.record({at: stamp, event_id: fc.constantFrom('01A', '01B', '01C')});

describe('event order', () => {
  it('compares like the reference order, whatever mix of timestamp forms', () => {
    fc.assert(
      fc.property(event, event, (a, b) => {
        expect(Math.sign(compareEvents(a, b))).to.equal(Math.sign(reference(a, b)));
      }),
      {numRuns: 3000},
    );
  });

  it('orderEvents dedupes by id and sorts, and keeps an already sorted batch as it is', () => {
    fc.assert(
      fc.property(fc.array(event, {maxLength: 30}), (events) => {
        // The first event of each id wins, then the order.
        const unique = events.filter((e, i) => events.findIndex((x) => x.event_id === e.event_id) === i);
        expect(orderEvents(events as unknown as TrackerEvent[])).to.deep.equal(unique.sort(reference));
      }),
      {numRuns: 500},
    );
  });
});
