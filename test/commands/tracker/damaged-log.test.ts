import {expect} from 'chai';
import {readFileSync, readdirSync, statSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';

import {BOUND_GITHUB, exitCode, issue, makeProject, run, seedCache, type TestProject} from './helpers.js';

/** A well-formed line (valid ULID, timestamp and kind) whose payload is not. */
const line = (payload: Record<string, unknown>, id = '01JA0000000000000000000001') =>
  JSON.stringify({at: '2026-01-05T00:00:00.000Z', event_id: id, ...payload});

describe('tracker: a damaged event line names its file and line', () => {
  let project: TestProject;
  let segment: string;
  let file: string;
  beforeEach(async () => {
    project = makeProject({config: BOUND_GITHUB});
    await seedCache(project.root, [issue(1), issue(2)]);
    const trackerDir = join(project.root, '.kittify', 'tracker');
    const scope = readdirSync(trackerDir).find((f) => statSync(join(trackerDir, f)).isDirectory())!;
    const events = join(trackerDir, scope, 'events');
    segment = readdirSync(events).find((f) => f.endsWith('.jsonl'))!;
    file = join(events, segment);
  });
  afterEach(() => project.cleanup());

  const damaged: [string, string, RegExp][] = [
    [
      'an issue with no ref and a numeric title',
      line({kind: 'issue_pulled', issue: {title: 5}}),
      /issue\.ref: must be an object/,
    ],
    [
      'an issue whose ref id is a number and title is missing',
      line({kind: 'issue_pulled', issue: {ref: {system: 'github', workspace: 'acme/app', id: 3}}}),
      /issue\.ref\.id: must be a non-empty string, got 3/,
    ],
    [
      'an issue whose title is a number',
      line({
        kind: 'issue_pulled',
        issue: {ref: {system: 'github', workspace: 'acme/app', id: '3'}, title: 5},
      }),
      /issue\.title: must be a non-empty string, got 5/,
    ],
    [
      'a draft with labels that are not a list',
      line({
        kind: 'draft_created',
        issue: {ref: {system: 'github', workspace: 'acme/app', id: 'draft-1'}, title: 'x', labels: 'bug'},
      }),
      /issue\.labels: must be a list of strings/,
    ],
    [
      'an edit with an unknown status',
      line({kind: 'issue_edited', identity: 'github:acme/app:1', fields: {status: 'shipping'}}),
      /fields\.status: must be one of todo/,
    ],
    [
      'a mapping whose ref has no system',
      line({kind: 'mapping_added', wp_id: 'm/WP01', ref: {workspace: 'acme/app', id: '1'}}),
      /ref\.system: must be a non-empty string/,
    ],
  ];
  for (const [what, bad, message] of damaged) {
    it(`${what}: list-tickets fails with file:line and the field, no stack trace, nothing lost`, async () => {
      const lines = readFileSync(file, 'utf8').split('\n');
      lines.splice(1, 0, bad);
      const text = lines.join('\n');
      writeFileSync(file, text);
      for (const args of [['list-tickets'], ['show', '#1'], ['status']]) {
        const r = await run(['tracker', ...args]);
        expect(exitCode(r), `${args.join(' ')}: ${r.stderr}`).to.equal(1);
        expect(r.stderr).to.include(`${segment}:2: invalid event: `);
        expect(r.stderr).to.match(message);
        expect(r.stderr).not.to.match(/Unexpected error|Cannot read properties/);
        expect(r.stderr).not.to.match(/\n\s+at /);
        expect(r.stderr).to.match(/Restore the file from git/);
      }
      expect(readFileSync(file, 'utf8')).to.equal(text); // nothing rewritten or dropped
    });
  }
});
