import {expect} from 'chai';

import {inertLine, inertText} from '../../../src/host/shared/terminal-text.js';
import {BOUND_GITHUB, exitCode, issue, makeProject, run, seedCache, type TestProject} from './helpers.js';

// What a hostile tracker may put in a title, a label, a name or a body: an OSC window title and a
// screen clear, a C1 CSI, BEL, BS, CR, DEL and a right-to-left override.
const TITLE = 'Evil \u001b]0;pwned\u0007\u001b[2J \u009b31m bell\u0007 back\b cr\r del\u007f \u202egnp.exe';
const BODY = 'line one\n\tindented \u001b[31mred\u001b[0m\nline \u2066isolated\u2069 \u200f';

/** Any character that can act on a terminal, except newline (tab is checked separately). */
// eslint-disable-next-line no-control-regex -- looking for control characters is the point
const ACTIVE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

describe('tracker text printed in text mode is inert', () => {
  let project: TestProject;
  beforeEach(async () => {
    project = makeProject({config: BOUND_GITHUB});
    await seedCache(project.root, [
      issue(1, {title: TITLE, body: BODY, labels: ['x\u001b[8m'], assignees: ['mal\u202elory']}),
      issue(2, {title: 'Plain'}),
    ]);
  });
  afterEach(() => project.cleanup());

  for (const args of [['show', '#1'], ['list-tickets'], ['issue-search', '--query', 'Evil']]) {
    it(`${args[0]} escapes control and bidi characters; --json gives them back exactly`, async () => {
      const text = await run(['tracker', ...args]);
      expect(text.error, text.stderr).to.equal(undefined);
      expect(text.stdout).not.to.match(ACTIVE);
      expect(text.stdout).to.include(
        'Evil \\x1b]0;pwned\\x07\\x1b[2J \\x9b31m bell\\x07 back\\x08 cr\\x0d del\\x7f \\u202egnp.exe',
      );

      const json = await run(['tracker', ...args, '--json']);
      expect(json.error, json.stderr).to.equal(undefined);
      expect(json.stdout).not.to.match(ACTIVE);
      expect(JSON.stringify(JSON.parse(json.stdout))).to.include(JSON.stringify(TITLE).slice(1, -1));
    });
  }

  it('show keeps the lines and tabs of a body and escapes the rest; one-line fields escape all', async () => {
    const shown = await run(['tracker', 'show', '#1']);
    expect(shown.stdout).to.include(
      'line one\n\tindented \\x1b[31mred\\x1b[0m\nline \\u2066isolated\\u2069 \\u200f',
    );
    expect(shown.stdout).to.include('- labels: x\\x1b[8m');
    expect(shown.stdout).to.include('- assignees: mal\\u202elory');
  });

  it('an error quoting outside text is inert on stderr too', async () => {
    const missing = await run(['tracker', 'show', '\u001b]0;x\u0007#9']);
    expect(exitCode(missing)).to.equal(1);
    expect(missing.stderr).to.include('\\x1b]0;x\\x07');
    expect(missing.stderr).not.to.match(ACTIVE);
  });
});

describe('terminal-text', () => {
  it('escapes every control, DEL, C1 and bidi character, and nothing printable', () => {
    expect(
      inertLine('a\tb\nc\u0000\u001f\u007f\u0080\u009f\u061c\u200e\u200f\u202a\u202e\u2066\u2069\u2028'),
    ).to.equal(
      'a\\x09b\\x0ac\\x00\\x1f\\x7f\\x80\\x9f\\u061c\\u200e\\u200f\\u202a\\u202e\\u2066\\u2069\\u2028',
    );
    expect(inertText('a\tb\nc\rd')).to.equal('a\tb\nc\\x0dd');
    const printable = 'Ünïcödé — 日本語 עברית ✓ 🙂 \\x1b stays as typed';
    expect(inertLine(printable)).to.equal(printable);
  });
});
