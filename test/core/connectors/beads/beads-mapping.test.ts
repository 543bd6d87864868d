import {expect} from 'chai';

import {IssuePayloadContractError} from '../../../../src/core/index.js';
import {
  beadsIssueFromJson,
  dependencyForLink,
  markerOf,
  typeToBeads,
} from '../../../../src/core/connectors/beads/index.js';
import {classifyToolFailure, excerptOf} from '../../../../src/core/connectors/local-cli/cli-invoker.js';
import {parseJsonOutput} from '../../../../src/core/connectors/local-cli/output-parsing.js';

const context = {workspace: 'ws', what: '`bd list`', where: 'item 1'};
const ref = {system: 'beads', workspace: 'ws', id: 'bd-1', key: null, url: null};
const target = {...ref, id: 'bd-2'};

describe('beads mapping and local CLI helpers (pure)', () => {
  it('maps canonical types to bd types as the reference says', () => {
    expect((['epic', 'story', 'task', 'bug', 'chore', 'subtask'] as const).map(typeToBeads)).to.deep.equal([
      'epic',
      'feature',
      'task',
      'bug',
      'chore',
      'task',
    ]);
  });

  it('reads timestamps with nanoseconds and offsets, and clamps priorities', () => {
    const issue = beadsIssueFromJson(
      {
        id: 'bd-1',
        title: 'T',
        status: 'open',
        priority: '-3',
        created_at: '2025-10-14T12:34:56.123456789-07:00',
        updated_at: '2025-10-14T12:34:56Z',
      },
      context,
    );
    expect(issue.created_at).to.equal('2025-10-14T19:34:56.123Z');
    expect(issue.priority).to.equal(0);
  });

  it('turns a bad field into a payload error naming the item and the issue', () => {
    expect(() => beadsIssueFromJson({id: 'bd-1', title: 'T', updated_at: 'yesterday'}, context)).to.throw(
      IssuePayloadContractError,
      /item 1 \(issue bd-1\) of the output of `bd list`: updated_at: is not a valid timestamp/,
    );
    expect(() => beadsIssueFromJson('nope', context)).to.throw(
      IssuePayloadContractError,
      /expected an issue object, got "nope"/,
    );
  });

  it('recognises only its own marker in external_ref', () => {
    expect(markerOf({external_ref: 'spec-kitty:create:x'})).to.equal('create:x');
    expect(markerOf({external_ref: 'gh-9'})).to.equal(null);
    expect(beadsIssueFromJson({id: 'bd-1', title: 'T', external_ref: 'gh-9'}, context).ref.url).to.equal(
      'gh-9',
    );
  });

  it('writes each link type in the direction beads stores it', () => {
    expect(dependencyForLink(ref, {type: 'blocks', target})).to.deep.equal({
      issue: 'bd-2',
      dependsOn: 'bd-1',
      type: 'blocks',
    });
    expect(dependencyForLink(ref, {type: 'parent_of', target})).to.deep.equal({
      issue: 'bd-2',
      dependsOn: 'bd-1',
      type: 'parent-child',
    });
    expect(dependencyForLink(ref, {type: 'relates_to', target})).to.deep.equal({
      issue: 'bd-1',
      dependsOn: 'bd-2',
      type: 'related',
    });
  });

  it('classifies tool failures from their output and excerpts stderr', () => {
    expect(classifyToolFailure('Error: no issue found matching "x"')).to.equal('not_found');
    expect(classifyToolFailure('Error: database is locked')).to.equal('transient');
    expect(classifyToolFailure('Error: unknown flag: --frob')).to.equal('validation');
    expect(classifyToolFailure('panic: nil map')).to.equal('non_retryable');
    expect(excerptOf('\u001b[31m  red  \u001b[0m\n\n' + 'x'.repeat(400))).to.equal(
      `red | ${'x'.repeat(300)}…`,
    );
  });

  it('parses JSON output, naming line and column when it cannot', () => {
    expect(parseJsonOutput('beads', '`bd list`', '  \n', 'a list')).to.equal(null);
    expect(() => parseJsonOutput('beads', '`bd list`', '[1,\n2,,\n3]', 'a list')).to.throw(
      IssuePayloadContractError,
      /line 2, column 3 \("2,,"\); expected a list/,
    );
  });
});

describe('parseJsonOutput: where the output stops being JSON', () => {
  it('names line and column whether or not V8 gives a position', () => {
    const samples: Array<[string, number, number]> = [
      // V8 says "Unexpected token" without a position for these.
      ['[1,\n2,,\n3]', 2, 3],
      ['  Error: no database found\n', 1, 3],
      ['{\n  "a": 1,\n  "b": nul\n}', 3, 8],
      ['[1,]', 1, 4],
      // "Unexpected end of JSON input": the end of the output.
      ['[\n  {"a": 1},\n', 3, 1],
      // V8 gives the position itself.
      ['{"a" 1}', 1, 6],
      ['[1, 2', 1, 6],
      ['[01]', 1, 3],
      ['{"a":1} x', 1, 9],
    ];
    for (const [text, line, column] of samples) {
      expect(() => parseJsonOutput('beads', '`bd list`', text, 'a list'), JSON.stringify(text)).to.throw(
        IssuePayloadContractError,
        `at line ${line}, column ${column} `,
      );
    }
  });
});
