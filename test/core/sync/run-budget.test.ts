import {expect} from 'chai';

import {estimateBudget, pushRequestsUpperBound} from '../../../src/core/sync/run-budget.js';
import {pacingFromEnv} from '../../../src/host/config/pacing-env.js';

const WRITE = {method: 'POST', path: '/issues'} as const;
const READ = {method: 'GET', path: '/issues'} as const;
const times = <T>(n: number, item: T): T[] => Array.from({length: n}, () => item);

/** The dry run's budget: requests counted as the push sends them, and timed as the pacer spaces them. */
describe('run budget', () => {
  it('overlaps the answer time with the pacing gaps: per request the longer of the two, not their sum', () => {
    // GitHub's bulk writes go a second apart; an answer (250 ms) fits in the gap.
    expect(estimateBudget('github', times(100, WRITE)).eta_seconds).to.equal(100);
    // Reads are not paced here: only their answer time counts.
    expect(estimateBudget('github', times(100, READ)).eta_seconds).to.equal(25);
    // A read between two writes is sent in the write's gap.
    const interleaved = times(100, [WRITE, READ]).flat();
    expect(estimateBudget('github', interleaved).eta_seconds).to.equal(100);
    // Writes allowed closer together than an answer takes: the answer time is the bound.
    const fast = {writes_per_minute: 600, writes_per_hour: 36_000};
    expect(estimateBudget('github', times(100, WRITE), fast).eta_seconds).to.equal(25);
    // A nearby server's answer time replaces the hosted default: the pacing gap (a minute and the
    // pacer's one-second margin over 600 writes) is the bound again.
    expect(estimateBudget('github', times(100, WRITE), {...fast, answer_ms: 20}).eta_seconds).to.equal(11);
    expect(estimateBudget('github', times(100, READ), {answer_ms: 20}).eta_seconds).to.equal(2);
  });

  it('reads answer_ms from SPEC_KITTY_TRACKER_PACING beside the limits, and refuses a bad value', () => {
    expect(pacingFromEnv({SPEC_KITTY_TRACKER_PACING: 'writes_per_minute=30,answer_ms=15'})).to.deep.equal({
      writes_per_minute: 30,
      answer_ms: 15,
    });
    expect(() => pacingFromEnv({SPEC_KITTY_TRACKER_PACING: 'answer_ms=fast'})).to.throw(
      /cannot read `answer_ms=fast`/,
    );
  });

  it('counts a write on an issue the push creates as one request, and an update of an older issue as a read and a write', () => {
    const budget = estimateBudget(
      'github',
      pushRequestsUpperBound({creates: 4, writesOnCreated: 7, updates: 2, links: 1}),
    );
    expect(budget).to.include({requests: 4 + 7 + 2 * 2 + 1 * 2, writes: 4 + 7 + 2 + 1, searches: 0});
  });
});
