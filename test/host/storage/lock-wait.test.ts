import {expect} from 'chai';
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';

import type {RuntimeEvent} from '../../../src/core/protocols/runtime.js';
import {ProgressDisplay} from '../../../src/host/cli/progress-display.js';
import {setLockWaitListener} from '../../../src/host/fs/lock-retry.js';
import {withLock} from '../../../src/host/fs/file-lock.js';

describe('waits are said, also when output is not a terminal', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sk-lockwait-'));
  });
  afterEach(() => {
    setLockWaitListener(null);
    rmSync(dir, {recursive: true, force: true});
  });

  it('a lock left by a stopped process: one line saying what is waited for, then it is taken over', async () => {
    const target = join(dir, 'events');
    writeFileSync(target, '');
    const lockPath = join(dir, '.writer.lock');
    // A fresh lock directory nobody refreshes: what a killed writer leaves behind.
    mkdirSync(lockPath);
    const waits: RuntimeEvent[] = [];
    setLockWaitListener((event) => waits.push(event));
    const result = await withLock(target, lockPath, async () => 'written', {staleMs: 300, waitMs: 5_000});
    expect(result).to.equal('written');
    expect(waits).to.have.length(1);
    expect(waits[0]).to.include({type: 'wait', reason: 'lock', ms: 5_000});
    expect((waits[0] as {detail: string}).detail)
      .to.include(lockPath)
      .and.include('taken over after 0 s');
  });

  it('piped output gets one line per wait on stderr; the client pacing itself is said once a minute', () => {
    const written: string[] = [];
    let now = Date.parse('2026-01-01T10:00:00Z');
    const piped = {isTTY: false, write: (s: string) => written.push(s)};
    const display = new ProgressDisplay(piped, {json: false, now: () => now});
    const wait = (ms: number, reason: 'pacing' | 'rate_limit' | 'lock', detail?: string): RuntimeEvent => ({
      type: 'wait',
      provider: 'github',
      reason,
      ms,
      until: new Date(now + ms).toISOString(),
      attempt: 1,
      ...(detail ? {detail} : {}),
    });
    display.onEvent(wait(42_000, 'rate_limit'));
    display.onEvent(wait(1_000, 'pacing', "GitHub's limit of 80 writes a minute, a second apart"));
    now += 1_000;
    display.onEvent(wait(1_000, 'pacing', "GitHub's limit of 80 writes a minute, a second apart"));
    display.onEvent(wait(60_000, 'pacing', "GitHub's limit of 500 writes an hour"));
    now += 60_000;
    display.onEvent(wait(1_000, 'pacing', "GitHub's limit of 80 writes a minute, a second apart"));
    display.onEvent({type: 'request', provider: 'github', method: 'GET', url: '/x', status: 200, ms: 1});
    expect(written).to.deep.equal([
      'waiting 42 s: GitHub is rate limiting requests\n',
      "waiting 1 s: GitHub's limit of 80 writes a minute, a second apart\n",
      "waiting 60 s: GitHub's limit of 500 writes an hour\n",
      "waiting 1 s: GitHub's limit of 80 writes a minute, a second apart\n",
    ]);
  });
});
