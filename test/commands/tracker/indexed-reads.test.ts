import {existsSync} from 'node:fs';
import {join} from 'node:path';

import {expect} from 'chai';

import {createRef as makeRef} from '../../../src/core/index.js';
import {setStorageOpener} from '../../../src/host/services/storage-gateway.js';
import {openTrackerStorage} from '../../../src/host/storage/tracker-storage.js';
import {BOUND_GITHUB, issue, makeProject, run, seedCache, type TestProject} from './helpers.js';

/**
 * The offline commands over a cache large enough to be indexed (over 1 MiB of segments) give the
 * same output as over the folded log: each command runs twice, through the read index and with
 * the storage opener replaced (which makes the services fold), and the outputs must be equal.
 */
describe('offline reads through the read index print what the fold prints', function () {
  this.timeout(120_000);
  let project: TestProject;
  const scope = (root: string) => ({root, provider: 'github', serverUrl: '', workspace: 'acme/app'});

  before(async () => {
    project = makeProject({config: BOUND_GITHUB});
    const body = 'Steps: open the widget, press start, watch the crash. '.repeat(12);
    const issues = Array.from({length: 1800}, (_, i) =>
      issue(i + 1, {
        title: `Widget ${i + 1} ${i % 7 === 0 ? 'crashes' : 'lags'}`,
        body: `${body} (${i + 1})`,
        status: (['todo', 'in_progress', 'done'] as const)[i % 3],
        labels: i % 2 === 0 ? ['bug'] : ['bug', 'ui'],
        assignees: i % 5 === 0 ? ['alice'] : [],
        priority: i % 4,
      }),
    );
    await seedCache(project.root, issues);
    const storage = openTrackerStorage(scope(project.root));
    await storage.stores.recordLocalEdit('github:acme/app:12', {title: 'Edited locally'});
    await storage.stores.addPendingComment('github:acme/app:12', 'a note');
    await storage.stores.addMapping('WP01', makeRef({system: 'github', workspace: 'acme/app', id: '12'}));
  });
  after(() => project.cleanup());

  const commands: string[][] = [
    ['tracker', 'show', '#12', '--json'],
    ['tracker', 'show', '12'],
    ['tracker', 'show', 'github:acme/app:1799', '--json'],
    ['tracker', 'show', '#99999'],
    ['tracker', 'list-tickets', '--limit', '20', '--json'],
    ['tracker', 'list-tickets', '--limit', '5'],
    [
      'tracker',
      'list-tickets',
      '--status',
      'done',
      '--label',
      'ui',
      '--limit',
      '7',
      '--sort',
      'updated',
      '--json',
    ],
    [
      'tracker',
      'list-tickets',
      '--assignee',
      'alice',
      '--type',
      'task',
      '--sort',
      'title',
      '--reverse',
      '--limit',
      '9',
    ],
    ['tracker', 'list-tickets', '--text', 'crashes', '--sort', 'priority', '--json', '--limit', '11'],
    ['tracker', 'list-tickets', '--status', 'in_progress', '--json'],
    ['tracker', 'list-tickets', '--label', 'ui'],
    ['tracker', 'issue-search', '--query', 'crash', '--limit', '20', '--json'],
    ['tracker', 'issue-search', '--query', 'widget 17', '--json'],
    ['tracker', 'issue-search', '--query', '1 widget', '--limit', '30', '--json'],
    ['tracker', 'issue-search', '--query', '#12'],
    ['tracker', 'issue-search', '--query', 'start, watch', '--json'],
    ['tracker', 'status', '--json'],
    ['tracker', 'map', 'list', '--json'],
  ];

  it('takes the index (it is built on the first read)', async () => {
    const result = await run(['tracker', 'show', '#1']);
    expect(result.error).to.equal(undefined);
    const cache = join(openTrackerStorage(scope(project.root)).scopeDir, 'cache');
    expect(existsSync(join(cache, 'read-index.v1.base'))).to.equal(true);
  });

  for (const args of commands) {
    it(args.slice(1).join(' '), async () => {
      const indexed = await run(args);
      setStorageOpener(async (options) =>
        openTrackerStorage({...options, serverUrl: options.serverUrl ?? ''}),
      );
      let folded;
      try {
        folded = await run(args);
      } finally {
        setStorageOpener(null);
      }
      expect(indexed.stdout).to.equal(folded.stdout);
      expect(indexed.stderr).to.equal(folded.stderr);
      expect(indexed.error?.message).to.equal(folded.error?.message);
    });
  }
});
