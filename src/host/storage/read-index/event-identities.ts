import type {TrackerEvent} from '../../../core/log/events.js';
import {createRef, refIdentity} from '../../../core/model/external-ref.js';

/**
 * The identities whose entries an event's fold reads or writes (`TrackerState.apply`); null
 * for a kind this code does not know. An update loads exactly these entries before applying
 * the event. The issue's identity comes from its ref as the fold makes it (`createRef`).
 */
export function* identitiesOf(event: TrackerEvent): Generator<string | null> {
  switch (event.kind) {
    case 'issue_pulled':
    case 'draft_created':
      yield issueIdentity(event.issue);
      break;
    case 'remote_created':
      yield event.draft_identity;
      yield issueIdentity(event.issue);
      break;
    case 'issue_edited':
    case 'edits_settled':
    case 'issue_deleted':
    case 'conflict_recorded':
    case 'comment_added':
      yield event.identity;
      break;
    case 'conflict_closed':
    case 'comment_sent':
    case 'mapping_added':
    case 'mapping_removed':
      break;
    default:
      yield null;
  }
}

function issueIdentity(issue: unknown): string {
  return refIdentity(createRef((issue as {ref: never}).ref));
}
