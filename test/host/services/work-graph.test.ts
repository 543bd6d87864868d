import {expect} from 'chai';

import {
  DECLARED,
  STATE_DELETED,
  STATE_UNKNOWN,
  WorkGraph,
  stateCode,
} from '../../../src/host/services/work-graph.js';

/** A graph over nodes named n0, n1, … with the given states. */
function graphOf(states: number[]): WorkGraph {
  return new WorkGraph({stateOf: (n) => states[n] ?? STATE_UNKNOWN, identityOf: (n) => `n${n}`});
}

const TODO = stateCode('todo');
const DONE = stateCode('done');

describe('WorkGraph: one graph from relations stated on either side', () => {
  it('an issue has one parent: its own field, then its child_of, then a parent_of, whatever the names', () => {
    // n9 (field) must win over n1 (parent_of) though n1 sorts first, and n5 (child_of) over n1.
    const g = graphOf([TODO, TODO, TODO, TODO, TODO, TODO, TODO, TODO, TODO, TODO]);
    g.addDeclared(1, DECLARED.parentOf, 2);
    g.addDeclared(2, DECLARED.parentField, 9);
    g.addDeclared(1, DECLARED.parentOf, 3);
    g.addDeclared(3, DECLARED.childOf, 5);
    g.addDeclared(1, DECLARED.parentOf, 4);
    expect(g.parentOf(2)).to.equal(9);
    expect(g.parentOf(3)).to.equal(5);
    expect(g.parentOf(4)).to.equal(1);
    expect(g.childrenOf(1)).to.deep.equal([4]);
    expect(g.childrenOf(9)).to.deep.equal([2]);
  });

  it('blocks and blocked_by are one edge; unknown blockers hold back, deleted and done ones do not', () => {
    const g = graphOf([TODO, TODO, DONE, STATE_DELETED, TODO, TODO]);
    g.addDeclared(1, DECLARED.blockedBy, 0);
    g.addDeclared(0, DECLARED.blocks, 1);
    g.addDeclared(4, DECLARED.blockedBy, 2);
    g.addDeclared(4, DECLARED.blockedBy, 3);
    g.addDeclared(5, DECLARED.blockedBy, 99);
    expect(g.blockersOf(1)).to.deep.equal([0]);
    expect(g.blockedBy(0)).to.deep.equal([1]);
    expect([...g.heldBack()].sort()).to.deep.equal([1, 5]);
  });

  it('a cycle of blockers holds both back and every answer ends', () => {
    const g = graphOf([TODO, TODO]);
    g.addDeclared(0, DECLARED.blockedBy, 1);
    g.addDeclared(1, DECLARED.blockedBy, 0);
    g.addDeclared(0, DECLARED.parentOf, 1);
    g.addDeclared(1, DECLARED.parentOf, 0);
    g.addDeclared(0, DECLARED.blocks, 0);
    expect([...g.heldBack()].sort()).to.deep.equal([0, 1]);
    expect(g.childrenOf(0)).to.deep.equal([1]);
    expect(g.parentOf(0)).to.equal(1);
    expect(WorkGraph.isReady(TODO, true)).to.equal(false);
    expect(WorkGraph.isBlocked(stateCode('blocked'), false)).to.equal(true);
    expect(WorkGraph.isReady(DONE, false) || WorkGraph.isBlocked(DONE, true)).to.equal(false);
  });
});
