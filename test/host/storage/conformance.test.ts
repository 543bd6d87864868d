import * as path from 'node:path';

import {openTrackerStorage} from '../../../src/host/storage/tracker-storage.js';
import {runStoreConformance} from '../../conformance/store-conformance.js';
import {scopeOptions, tempRoot} from './helpers.js';

runStoreConformance('durable JSONL log + checkpoint files', {
  async create() {
    const {root, cleanup} = await tempRoot();
    const open = () => {
      const storage = openTrackerStorage(scopeOptions(path.join(root)));
      return {issues: storage.stores, mappings: storage.stores, checkpoints: storage.checkpoints};
    };
    return {...open(), reopen: async () => open(), cleanup};
  },
});
