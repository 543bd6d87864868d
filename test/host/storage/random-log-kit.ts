import {promises as fs} from 'node:fs';
import * as path from 'node:path';

import {canonicalJson, type JsonObject, type TrackerEvent} from '../../../src/core/index.js';
import {NEUTRAL_FIELD_VALUES} from '../../../src/core/model/canonical-issue.js';
import {seededRandom} from '../../fakes/spec-kitty-project.js';

// What the tests that compare a read path with the full fold on random event logs share: the
// seeded randomness, event ids, and writing a log's segments to disk.

/** A small deterministic PRNG (mulberry32), so that a failing seed can be run again. */
export const prng = seededRandom;

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A valid ULID whose order follows `n`. */
export function ulid(n: number): string {
  let out = '';
  for (let k = 0; k < 10; k += 1, n = Math.floor(n / 32)) out = CROCKFORD[n % 32] + out;
  return '01ARZ3NDEKTSV4RR' + out;
}

/**
 * An issue as an `issue_pulled` event carries it: an open task with no body, labels, people or
 * relations, created 2026-01-01, then `fields` over that.
 */
export function issueJson(
  ref: {system: string; workspace: string; id: string; key: string | null},
  fields: Record<string, unknown> = {},
): JsonObject {
  return {
    ...NEUTRAL_FIELD_VALUES,
    ref: {...ref, url: null},
    title: `Issue ${ref.key ?? ref.id}`,
    created_at: '2026-01-01T00:00:00.000Z',
    updated_at: null,
    ...fields,
  } as unknown as JsonObject;
}

/** Writes each segment as a committed segment file, named so that listing order is array order. */
export async function writeSegments(eventsDir: string, segments: TrackerEvent[][]): Promise<void> {
  await fs.mkdir(eventsDir, {recursive: true});
  for (const [k, events] of segments.entries()) {
    const lines = events.map((event) => canonicalJson(event as never) + '\n').join('');
    await fs.writeFile(path.join(eventsDir, `${ulid(900_000 + k)}.jsonl`), lines);
  }
}

/** A conflict on `status` recorded for `identity`, decided for the tracker. */
export function conflictRecorded(
  event_id: string,
  at: string,
  identity: string,
  random: () => number,
): TrackerEvent {
  return {
    event_id,
    at,
    kind: 'conflict_recorded',
    identity,
    field_name: 'status',
    base_value: 'todo',
    local_value: 'done',
    external_value: 'blocked',
    resolved_value: 'blocked',
    winner: 'external',
    strategy: 'external_wins',
    manual_review_required: random() < 0.5,
  } as TrackerEvent;
}
