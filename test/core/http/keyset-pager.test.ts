import {expect} from 'chai';

import {ConnectorRequestError, IssuePayloadContractError} from '../../../src/core/index.js';
import {
  decodeKeysetCursor,
  encodeKeysetCursor,
  keysetRequest,
  keysetStart,
  keysetStep,
  nextInstant,
  type KeysetState,
} from '../../../src/core/http/index.js';

const github = {provider: 'github', displayName: 'GitHub', sinceParam: 'since'};
const row = (id: number, updatedAt: string) => ({id: String(id), updatedAt});

describe('keyset pager', () => {
  it('restarts each window at the last updated_at and drops what it returned already', () => {
    const start = keysetStart(null, 3);
    const first = keysetStep(
      start,
      [row(1, '2025-01-01T00:00:00Z'), row(2, '2025-01-01T00:01:00Z'), row(3, '2025-01-01T00:01:00Z')],
      true,
      'GitHub',
    );
    expect(first.keep).to.deep.equal([true, true, true]);
    expect(keysetRequest(first.next!)).to.deep.equal({since: '2025-01-01T00:01:00Z', page: 1, perPage: 3});
    const second = keysetStep(
      first.next!,
      [row(2, '2025-01-01T00:01:00Z'), row(3, '2025-01-01T00:01:00Z'), row(4, '2025-01-01T00:02:00Z')],
      false,
      'GitHub',
    );
    expect(second.keep).to.deep.equal([false, false, true]);
    expect(second.next).to.equal(null);
  });

  it('leaves a tie right after its time, at the precision of the server, whatever the window start looks like', () => {
    // A tie at the engine's own `since` (milliseconds), on a server that writes whole seconds.
    const inTie: KeysetState = {...keysetStart('2025-06-01T12:00:00.000Z', 2), page: 2};
    const step = keysetStep(
      inTie,
      [row(5, '2025-06-01T12:00:00Z'), row(6, '2025-06-01T12:00:03Z')],
      true,
      'GitHub',
    );
    expect(step.next).to.deep.include({at: '2025-06-01T12:00:01Z', page: 1});
    expect(step.next!.seen).to.include(`6@${Date.parse('2025-06-01T12:00:03Z')}`);
    expect(step.next!.ties).to.deep.equal([{at: '2025-06-01T12:00:00.000Z', ids: ['5']}]);
    expect(nextInstant(Date.parse('2025-06-01T12:00:00.120Z'), '2025-06-01T12:00:00.120Z')).to.equal(
      '2025-06-01T12:00:00.121Z',
    );
    expect(nextInstant(Date.parse('2025-06-01T12:00:59Z'), '2025-06-01T12:00:59Z')).to.equal(
      '2025-06-01T12:01:00Z',
    );
  });

  it('round-trips its cursor through a checkpoint, and takes over a saved Link URL', () => {
    const state: KeysetState = {
      perPage: 100,
      at: '2025-06-01T12:00:00Z',
      page: 3,
      seen: ['7@1748779200000'],
      ties: [{at: '2025-05-01T00:00:00Z', ids: ['1', '2']}],
      redo: ['2025-05-01T00:00:00Z'],
      resume: {at: '2025-06-02T00:00:00Z', seen: []},
    };
    const cursor = encodeKeysetCursor(state);
    expect(cursor).to.match(/^keyset1\.[\w-]+$/);
    expect(decodeKeysetCursor(JSON.parse(JSON.stringify(cursor)) as string, github)).to.deep.equal(state);
    const legacy = decodeKeysetCursor(
      'https://api.github.com/repositories/1/issues?state=all&sort=updated&direction=asc&per_page=50&since=2025-01-01T00%3A00%3A00Z&page=4',
      github,
    );
    expect(keysetRequest(legacy)).to.deep.equal({since: '2025-01-01T00:00:00Z', page: 4, perPage: 50});
  });

  it('refuses a cursor it cannot read, saying what to do, and an updated_at that is not a time', () => {
    for (const bad of ['', 'keyset1.%%%', 'keyset1.e30', 'https://x.example/issues', 'page=2']) {
      try {
        decodeKeysetCursor(bad, github);
        expect.fail(`accepted ${bad}`);
      } catch (error) {
        expect(error).to.be.instanceOf(ConnectorRequestError);
        expect((error as ConnectorRequestError).failureClass).to.equal('non_retryable');
        expect((error as ConnectorRequestError).hint).to.include('sync pull --full');
      }
    }
    expect(() => keysetStep(keysetStart(null, 2), [row(1, 'yesterday')], false, 'GitHub')).to.throw(
      IssuePayloadContractError,
      /GitHub listed an issue whose updated_at 'yesterday' is not a time/,
    );
  });
});
