import {expect} from 'chai';

import {foldEventLog, parseEventLog} from '../../../src/host/workpackages/status-event-log.js';
import {eventLine} from '../../fakes/spec-kitty-project.js';

const lane = (
  id: string,
  at: string,
  wp: string,
  from: string,
  to: string,
  extra: Record<string, unknown> = {},
) =>
  eventLine({
    event_id: id,
    at,
    wp_id: wp,
    from_lane: from,
    to_lane: to,
    mission_slug: 'm',
    review_ref: null,
    ...extra,
  });

describe('work packages: status.events.jsonl fold', () => {
  it('dedupes by event_id and orders by (at, event_id), whatever the line order', () => {
    const lines = [
      lane('01B', '2026-03-01T10:00:00+00:00', 'WP01', 'planned', 'claimed'),
      lane('01D', '2026-03-01T12:00:00+00:00', 'WP01', 'in_progress', 'for_review'),
      lane('01C', '2026-03-01T11:00:00+00:00', 'WP01', 'claimed', 'in_progress'),
      lane('01D', '2026-03-01T12:00:00+00:00', 'WP01', 'in_progress', 'for_review'),
      // Same instant: the event id breaks the tie.
      lane('01F', '2026-03-01T13:00:00+00:00', 'WP02', 'planned', 'canceled'),
      lane('01E', '2026-03-01T13:00:00+00:00', 'WP02', 'planned', 'claimed'),
    ];
    for (const order of [lines, [...lines].reverse()]) {
      const folded = foldEventLog(parseEventLog(order.join('\n')));
      expect(folded.lanes.get('WP01')!.lane).to.equal('for_review');
      expect(folded.lanes.get('WP02')!.lane).to.equal('canceled');
      expect(folded.event_count).to.equal(5);
    }
  });

  it('lets a concurrent reviewer rollback beat a forward move (spec-kitty tie-break)', () => {
    const at = '2026-03-01T10:00:00+00:00';
    const text = [
      lane('01A', '2026-03-01T09:00:00+00:00', 'WP01', 'planned', 'in_review'),
      lane('01B', at, 'WP01', 'in_review', 'in_progress'),
      lane('01C', at, 'WP01', 'in_review', 'approved'),
    ].join('\n');
    expect(foldEventLog(parseEventLog(text)).lanes.get('WP01')!.lane).to.equal('in_progress');
  });

  it('skips non-lane rows, folds annotation refs, and reports bad lines by number', () => {
    const text = [
      lane('01A', '2026-03-01T09:00:00+00:00', 'WP01', 'planned', 'doing'),
      eventLine({
        event_id: '01B',
        at: '2026-03-01T09:01:00+00:00',
        kind: 'annotation',
        wp_id: 'WP01',
        actor: 'x',
        delta: {tracker_refs: ['#5']},
      }),
      eventLine({
        event_id: '01C',
        at: '2026-03-01T09:02:00+00:00',
        kind: 'annotation',
        wp_id: 'WP01',
        actor: 'x',
        delta: {tracker_refs: ['PROJ-1']},
      }),
      eventLine({
        event_id: '01D',
        at: '2026-03-01T09:03:00+00:00',
        event_type: 'DecisionPointOpened',
        mission_slug: 'm',
      }),
      eventLine({event_id: '01E', at: '2026-03-01T09:04:00+00:00', type: 'RetrospectiveCaptured'}),
      eventLine({event_id: '01F', at: '2026-03-01T09:05:00+00:00', event_name: 'retrospective.started'}),
      '',
      '{"event_id": "01G", "at": ',
      eventLine({event_id: '01H', at: '2026-03-01T09:06:00+00:00', wp_id: 'WP02'}),
      eventLine({event_id: '01I', at: '2026-03-01T09:07:00+00:00', kind: 'checkpoint'}),
      '[1, 2]',
    ].join('\n');
    const parsed = parseEventLog(text);
    expect(parsed.problems.map((p) => [p.line, p.code, p.severity])).to.deep.equal([
      [8, 'invalid_json', 'error'],
      [9, 'invalid_event', 'error'],
      [10, 'unknown_event_kind', 'warning'],
      [11, 'invalid_event', 'error'],
    ]);
    expect(parsed.skipped).to.equal(3);
    const folded = foldEventLog(parsed);
    expect(folded.lanes.get('WP01')!.lane).to.equal('in_progress');
    expect(folded.annotations.get('WP01')!.tracker_refs).to.deep.equal(['#5', 'PROJ-1']);
    expect(folded.lanes.has('WP02')).to.equal(false);
  });
});
