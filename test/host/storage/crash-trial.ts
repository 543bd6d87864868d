import {promises as fs} from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import {openTrackerStorage} from '../../../src/host/storage/tracker-storage.js';
import {clearSegmentCache} from '../../../src/host/storage/jsonl-event-log.js';
import {ackedIds, startFixture} from './child-process.js';

export interface CrashTrialResult {
  readonly acked: number;
  readonly killedAfterMs: number;
  /** Empty when every promise held. */
  readonly problems: string[];
}

const scope = (root: string) => ({root, provider: 'github', serverUrl: '', workspace: 'acme/widgets'});

/**
 * One crash trial: a writer is SIGKILLed at a random moment while it writes issue versions and
 * checkpoints. Afterwards the store must open, hold every acknowledged event, and its
 * checkpoint must be no later than the data (and no earlier than the last acknowledged one).
 * With `writeAfter`, a new writer must then be able to write (taking over the dead one's lock).
 */
export async function runCrashTrial(options: {
  maxKillMs: number;
  writeAfter?: boolean;
  random?: () => number;
}): Promise<CrashTrialResult> {
  const random = options.random ?? Math.random;
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'tracker-crash-'));
  const problems: string[] = [];
  try {
    const fixture = startFixture('crash-writer.ts', [root, '0']);
    await fixture.waitFor('ready', 30_000);
    const killedAfterMs = Math.floor(random() * options.maxKillMs);
    await new Promise((resolve) => setTimeout(resolve, killedAfterMs));
    fixture.child.kill('SIGKILL');
    await fixture.exited;
    const acked = ackedIds(fixture.lines);
    const lastCheckpoint =
      fixture.lines
        .filter((l) => l.startsWith('cp '))
        .map((l) => l.slice(3))
        .pop() ?? null;

    clearSegmentCache();
    const storage = openTrackerStorage(scope(root));
    try {
      const segments = await storage.log.readSegments();
      const present = new Set(segments.flatMap((s) => s.events.map((e) => e.event_id)));
      const lost = acked.filter((id) => !present.has(id));
      if (lost.length > 0) problems.push(`${lost.length} acknowledged events lost (first ${lost[0]})`);
      await storage.log.read();
      if (storage.warnings.length > 0) problems.push(`warnings after crash: ${storage.warnings.join('; ')}`);
      const highWater = await storage.stores.highWaterMark();
      const checkpoint = await storage.checkpoints.getCheckpoint('pull');
      const saved = checkpoint?.high_water ?? null;
      if (saved !== null && (highWater === null || Date.parse(saved) > Date.parse(highWater))) {
        problems.push(`checkpoint ${saved} is ahead of the data (${highWater})`);
      }
      if (lastCheckpoint !== null && (saved === null || Date.parse(saved) < Date.parse(lastCheckpoint))) {
        problems.push(`acknowledged checkpoint ${lastCheckpoint} lost (found ${saved})`);
      }
      if (options.writeAfter) {
        const after = openTrackerStorage({...scope(root), lock: {waitMs: 10_000, staleMs: 2000}});
        await after.stores.addMapping('WP01', {
          system: 'github',
          workspace: 'acme/widgets',
          id: '0',
          key: null,
          url: null,
        });
        if ((await after.stores.listMappings()).length !== 1)
          problems.push('a new writer could not write after the crash');
      }
    } catch (error) {
      problems.push(`store failed to open after the crash: ${(error as Error).message}`);
    }
    return {acked: acked.length, killedAfterMs, problems};
  } finally {
    await fs.rm(root, {recursive: true, force: true});
  }
}
