import {expect} from 'chai';

import {IssuePayloadContractError} from '../../../../src/core/index.js';
import {
  extractIssueId,
  findIssueLine,
  parseIssueList,
  priorityFromFp,
  priorityToFp,
  statusFromFp,
} from '../../../../src/core/connectors/fp/index.js';

describe('fp output parsing (pure)', () => {
  it('reads `<ID> [<status>] [<priority>]? <title>` behind tree glyphs', () => {
    const text = [
      'FP-1 [todo] [high] Top',
      '├─ FP-2 [in-progress] Child one',
      '│  └─ FP-3 [done] [low] Grandchild',
      '└── FP-4 [cancelled] [3] Last',
      '',
    ].join('\n');
    expect(
      parseIssueList(text, '`fp issue list`').map((l) => [l.id, l.status, l.priority, l.title, l.lineNumber]),
    ).to.deep.equal([
      ['FP-1', 'todo', 1, 'Top', 1],
      ['FP-2', 'in_progress', null, 'Child one', 2],
      ['FP-3', 'done', 3, 'Grandchild', 3],
      ['FP-4', 'canceled', 3, 'Last', 4],
    ]);
  });

  it('skips blank and "no issues" lines, and rejects anything else by line number', () => {
    expect(parseIssueList('\nNo issues found\n\n', 'x')).to.deep.equal([]);
    expect(() => parseIssueList('FP-1 [todo] A\nFP-2 todo B\n', '`fp issue list`')).to.throw(
      IssuePayloadContractError,
      /line 2 of the output of `fp issue list`/,
    );
  });

  it('maps statuses and priorities as the reference says', () => {
    expect(
      [
        'todo',
        'in-progress',
        'in_progress',
        'done',
        'blocked',
        'in-review',
        'canceled',
        'cancelled',
        'someday',
      ].map(statusFromFp),
    ).to.deep.equal([
      'todo',
      'in_progress',
      'in_progress',
      'done',
      'blocked',
      'in_review',
      'canceled',
      'canceled',
      'todo',
    ]);
    // fp has four levels (low, medium, high, critical); critical is the canonical 0 both ways.
    expect([0, 1, 2, 3, 4].map(priorityToFp)).to.deep.equal(['critical', 'high', 'medium', 'low', 'low']);
    expect(['critical', 'high', 'MEDIUM', 'low', '7', 'urgent', undefined].map(priorityFromFp)).to.deep.equal(
      [0, 1, 2, 3, 4, null, null],
    );
  });

  it('finds the line of one id and extracts a created id from free text', () => {
    expect(findIssueLine('Details\nFP-7 [todo] Seven\nFP-70 [done] Other', 'FP-7')?.title).to.equal('Seven');
    expect(findIssueLine('nothing here', 'FP-7')).to.equal(null);
    expect(extractIssueId('Created issue PROJ-a1b2: Fix ABC-1 bug')).to.equal('PROJ-a1b2');
    expect(extractIssueId('created')).to.equal(null);
  });
});
