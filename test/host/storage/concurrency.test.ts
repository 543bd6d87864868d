import {promises as fs} from 'node:fs';
import * as path from 'node:path';

import {expect} from 'chai';

import {openTrackerStorage} from '../../../src/host/storage/tracker-storage.js';
import {ackedIds, startFixture} from './child-process.js';
import {scopeOptions, tempRoot} from './helpers.js';

// Issue 3's acceptance: 8 processes x 100 mixed writes on one scope, in the suite.
const WORKERS = 8;
const WRITES = 100;

describe(`concurrent writers (${WORKERS} processes x ${WRITES} mixed writes)`, function () {
  this.timeout(300_000);

  // INV-5: one writer per scope; concurrent writers keep every acknowledged event exactly once.
  it('keeps every acknowledged event exactly once, with no torn or interleaved line', async () => {
    const {root, cleanup} = await tempRoot();
    try {
      const children = Array.from({length: WORKERS}, (_, w) =>
        startFixture('concurrent-writer.ts', [root, String(w), String(WRITES)]),
      );
      const codes = await Promise.all(children.map((c) => c.exited));
      for (const [i, code] of codes.entries()) expect(code, children[i]!.stderr()).to.equal(0);
      const acked = children.flatMap((c) => ackedIds(c.lines));
      expect(acked).to.have.length(WORKERS * WRITES);

      const storage = openTrackerStorage(scopeOptions(root));
      const events = path.join(storage.scopeDir, 'events');
      // A sealed run is one committed segment; the odd workers exited with their records in open
      // segments, which a writer that ends its run after they died adopts (an even worker, or
      // this one).
      await storage.log.endRun({recover: true});
      const ids: string[] = [];
      const names = await fs.readdir(events);
      expect(names.length).to.be.within(WORKERS / 2, WORKERS / 2 + 1);
      for (const name of names) {
        expect(name).to.match(/^[0-9A-HJKMNP-TV-Z]{26}\.jsonl$/); // no temp or open file left behind
        const text = await fs.readFile(path.join(events, name), 'utf8');
        expect(text.endsWith('\n')).to.equal(true);
        for (const line of text.slice(0, -1).split('\n'))
          ids.push((JSON.parse(line) as {event_id: string}).event_id);
      }
      expect(new Set(ids).size).to.equal(ids.length);
      expect([...ids].sort()).to.deep.equal([...acked].sort());

      const state = await storage.log.read();
      expect(storage.warnings).to.deep.equal([]);
      expect(state.eventCount).to.equal(WORKERS * WRITES);
      const issues = await storage.stores.listIssues();
      expect(issues).to.have.length(WORKERS * Math.ceil(WRITES / 4));
      expect(issues.every((issue) => issue.title.startsWith('edited by '))).to.equal(true);
      expect(await storage.stores.listPendingComments()).to.have.length(
        WORKERS * Math.floor((WRITES + 1) / 4),
      );
      expect(await storage.stores.listMappings()).to.have.length(WORKERS * Math.floor(WRITES / 4));
    } finally {
      await cleanup();
    }
  });
});
