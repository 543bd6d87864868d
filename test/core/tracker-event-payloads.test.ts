import {expect} from 'chai';

import {CORE_ISSUE_FIELDS, createIssue, parseTrackerEvent, ValidationError} from '../../src/core/index.js';
import {issueToJson, refToJson} from '../../src/core/model/issue-json.js';

const base = {at: '2026-01-05T00:00:00.000Z', event_id: '01JA0000000000000000000001'};
const full = createIssue({
  ref: {system: 'github', workspace: 'acme/app', id: '7', key: '#7', url: 'https://x/7'},
  title: 'Seven',
  body: 'text',
  status: 'in_review',
  issue_type: 'bug',
  priority: 2,
  assignees: ['a'],
  labels: ['b'],
  parent: {system: 'github', workspace: 'acme/app', id: '1'},
  links: [{type: 'blocks', target: {system: 'github', workspace: 'acme/app', id: '2'}}],
  custom_fields: {points: 3},
  created_at: '2026-01-01T00:00:00Z',
  updated_at: '2026-01-02T00:00:00Z',
});

function fails(payload: Record<string, unknown>): string {
  try {
    parseTrackerEvent({...base, ...payload});
  } catch (error) {
    expect(error).to.be.instanceOf(ValidationError);
    return (error as Error).message;
  }
  throw new Error('expected parseTrackerEvent to fail');
}

describe('parseTrackerEvent validates payloads', () => {
  it('accepts what the stores write', () => {
    const issue = issueToJson(full);
    const fields = Object.fromEntries(CORE_ISSUE_FIELDS.map((field) => [field, issue[field]]));
    for (const event of [
      {kind: 'issue_pulled', issue},
      {kind: 'issue_pulled', issue, settle: {title: 'x', labels: ['y']}},
      {kind: 'draft_created', issue: {...issue, ref: {...refToJson(full.ref), id: 'draft-1'}}},
      {kind: 'remote_created', draft_identity: 'github:acme/app:draft-1', issue},
      {kind: 'issue_edited', identity: 'github:acme/app:7', fields},
      {
        kind: 'edits_settled',
        identity: 'github:acme/app:7',
        fields: {body: null, priority: null, parent: null},
      },
      {kind: 'mapping_added', wp_id: 'm/WP01', ref: refToJson(full.ref)},
      {
        kind: 'issue_pulled',
        issue: issueToJson(createIssue({ref: {system: 's', workspace: 'w', id: '1'}, title: 't'})),
      },
    ]) {
      expect(() => parseTrackerEvent({...base, ...event}), event.kind).not.to.throw();
    }
  });

  const issue = issueToJson(full);
  const cases: [string, Record<string, unknown>, RegExp][] = [
    [
      'a missing ref',
      {kind: 'issue_pulled', issue: {title: 5}},
      /^issue\.ref: must be an object, got nothing$/,
    ],
    [
      'a blank workspace',
      {kind: 'issue_pulled', issue: {...issue, ref: {...refToJson(full.ref), workspace: ' '}}},
      /^issue\.ref\.workspace:/,
    ],
    [
      'a numeric key',
      {kind: 'issue_pulled', issue: {...issue, ref: {...refToJson(full.ref), key: 7}}},
      /^issue\.ref\.key: must be a string or null/,
    ],
    ['a blank title', {kind: 'issue_pulled', issue: {...issue, title: ''}}, /^issue\.title:/],
    ['a numeric body', {kind: 'issue_pulled', issue: {...issue, body: 1}}, /^issue\.body:/],
    [
      'an unknown type',
      {kind: 'issue_pulled', issue: {...issue, issue_type: 'saga'}},
      /^issue\.issue_type: must be one of/,
    ],
    ['a priority of 9', {kind: 'issue_pulled', issue: {...issue, priority: 9}}, /^issue\.priority:/],
    [
      'assignees with a number',
      {kind: 'issue_pulled', issue: {...issue, assignees: ['a', 1]}},
      /^issue\.assignees:/,
    ],
    [
      'a parent without id',
      {kind: 'issue_pulled', issue: {...issue, parent: {system: 'g', workspace: 'w'}}},
      /^issue\.parent\.id:/,
    ],
    [
      'links that are an object',
      {kind: 'issue_pulled', issue: {...issue, links: {}}},
      /^issue\.links: must be a list/,
    ],
    [
      'a link of unknown type',
      {kind: 'issue_pulled', issue: {...issue, links: [{type: 'likes', target: refToJson(full.ref)}]}},
      /^issue\.links\[0\]\.type:/,
    ],
    [
      'a link without target',
      {kind: 'issue_pulled', issue: {...issue, links: [{type: 'blocks'}]}},
      /^issue\.links\[0\]\.target: must be an object/,
    ],
    [
      'custom fields as a list',
      {kind: 'issue_pulled', issue: {...issue, custom_fields: []}},
      /^issue\.custom_fields:/,
    ],
    [
      'a bad timestamp',
      {kind: 'issue_pulled', issue: {...issue, updated_at: 'yesterday'}},
      /^issue\.updated_at:/,
    ],
    ['a bad settle value', {kind: 'issue_pulled', issue, settle: {priority: 'high'}}, /^settle\.priority:/],
    [
      'a remote_created without ref',
      {kind: 'remote_created', draft_identity: 'x', issue: {title: 't'}},
      /^issue\.ref:/,
    ],
    [
      'an edit of a blank title',
      {kind: 'issue_edited', identity: 'x', fields: {title: ' '}},
      /^fields\.title:/,
    ],
    [
      'a settled parent that is a string',
      {kind: 'edits_settled', identity: 'x', fields: {parent: '#1'}},
      /^fields\.parent:/,
    ],
    [
      'a mapping ref as a string',
      {kind: 'mapping_added', wp_id: 'w', ref: 'github:a:1'},
      /^ref: a mapping_added event needs an object/,
    ],
    [
      'a conflict winner nobody knows',
      {kind: 'conflict_recorded', identity: 'x', field_name: 'title', winner: 'both', strategy: 's'},
      /^winner:/,
    ],
  ];
  for (const [what, payload, message] of cases) {
    it(`refuses ${what}, naming the field`, () => {
      expect(fails(payload)).to.match(message);
    });
  }

  it('cuts long values short in messages', () => {
    expect(fails({kind: 'issue_pulled', issue: {...issue, body: ['x'.repeat(500)]}}).length).to.be.below(120);
  });
});
