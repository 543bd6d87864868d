import {expect} from 'chai';

import {MappingTable} from '../../src/core/log/mapping-table.js';
import type {WorkPackageMapping} from '../../src/core/protocols/mapping-store.js';

const mapping = (wp: string, id: string): WorkPackageMapping => ({
  wp_id: wp,
  ref: {system: 'github', workspace: 'a/b', id, key: null, url: null},
  created_at: '2026-03-01T00:00:00.000Z',
  updated_at: '2026-03-01T00:00:00.000Z',
});

describe("MappingTable (the fold's mappings, indexed by the issue they point at)", () => {
  it('finds the mappings of an issue after sets, moves, deletes and a clear', () => {
    const table = new MappingTable();
    table.set('WP01\u0000github', mapping('WP01', 'draft-1'));
    table.set('WP02\u0000github', mapping('WP02', 'draft-2'));
    table.set('WP03\u0000github', mapping('WP03', 'draft-2'));
    expect(table.keysFor('github:a/b:draft-2')).to.deep.equal(['WP02\u0000github', 'WP03\u0000github']);
    // A create moves the mapping from the draft to the issue.
    table.set('WP01\u0000github', mapping('WP01', '7'));
    expect(table.keysFor('github:a/b:draft-1')).to.deep.equal([]);
    expect(table.keysFor('github:a/b:7')).to.deep.equal(['WP01\u0000github']);
    table.delete('WP02\u0000github');
    expect(table.keysFor('github:a/b:draft-2')).to.deep.equal(['WP03\u0000github']);
    expect(table.size).to.equal(2);
    table.clear();
    expect(table.keysFor('github:a/b:draft-2')).to.deep.equal([]);
    expect(table.keysFor('github:a/b:7')).to.deep.equal([]);
  });

  it('agrees with a scan of every mapping, whatever the order of random writes', () => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const table = new MappingTable();
    for (let step = 0; step < 2000; step++) {
      const key = `WP${Math.floor(random() * 40)}\u0000github`;
      if (random() < 0.2) table.delete(key);
      else table.set(key, mapping(key, String(Math.floor(random() * 15))));
    }
    for (let id = 0; id < 15; id++) {
      const identity = `github:a/b:${id}`;
      const scanned = [...table].filter(([, m]) => `github:a/b:${m.ref.id}` === identity).map(([k]) => k);
      expect([...table.keysFor(identity)].sort()).to.deep.equal(scanned.sort());
    }
  });
});
