import {expect} from 'chai';

import {ConnectorRequestError, TrackerError} from '../../../src/core/errors.js';
import {reportError} from '../../../src/host/cli/error-report.js';
import {stableJson, writeStableJson} from '../../../src/host/cli/json-output.js';
import {ProgressDisplay} from '../../../src/host/cli/progress-display.js';
import {
  clearRegisteredSecrets,
  maskSecret,
  redactSecrets,
  registerSecret,
} from '../../../src/host/shared/secret-mask.js';
import {UsageError} from '../../../src/host/shared/usage-error.js';

describe('CLI output policy', () => {
  afterEach(() => clearRegisteredSecrets());

  it('stable JSON: sorted keys at every depth, 2-space indent, \\u escapes', () => {
    expect(stableJson({b: 1, a: {d: 'é', c: [1, {z: null, y: true}]}})).to.equal(
      '{\n  "a": {\n    "c": [\n      1,\n      {\n        "y": true,\n        "z": null\n      }\n    ],\n    "d": "\\u00e9"\n  },\n  "b": 1\n}',
    );
  });

  it('stable JSON in chunks: each produced once the last was taken, the same bytes and a newline', async () => {
    const report = {plan: Array.from({length: 3000}, (_, i) => ({id: i, body: `Body é ${i} `.repeat(20)}))};
    const written: string[] = [];
    let release = (): void => undefined;
    let finished = false;
    const done = writeStableJson(report, (chunk) => {
      written.push(chunk);
      return new Promise<void>((resolve) => (release = resolve));
    }).then(() => (finished = true));
    for (let taken = 0; taken < 10_000; taken++) {
      await new Promise((resolve) => setImmediate(resolve));
      if (finished) break;
      // Until the output takes the last chunk, nothing more is produced (nor held).
      expect(written).to.have.length(taken + 1);
      release();
    }
    await done;
    expect(written.length).to.be.greaterThan(10);
    expect(written.join('')).to.equal(stableJson(report) + '\n');
    expect(written.slice(0, -1).every((chunk) => chunk.length <= 64 * 1024 + 1000)).to.equal(true);
  });

  it('errors: message and hint lines, exit 1; usage errors exit 2; oclif parse errors keep 2', () => {
    expect(reportError(new TrackerError('It broke.', {hint: 'Do this.'}), {debug: false})).to.deep.equal({
      lines: ['It broke.', 'Do this.'],
      exitCode: 1,
    });
    expect(reportError(new UsageError('Bad value.'), {debug: false}).exitCode).to.equal(2);
    const parse = Object.assign(
      new Error('The following error occurred:\n  Missing required flag x\nSee more help with --help'),
      {oclif: {exit: 2}},
    );
    expect(reportError(parse, {debug: false})).to.deep.equal({
      lines: ['Missing required flag --x', 'See --help for the flags this command takes.'],
      exitCode: 2,
    });
    const badValue = Object.assign(
      new Error('Parsing --limit \n\tExpected an integer greater than or equal to 1 but received: 0'),
      {oclif: {exit: 2}},
    );
    expect(reportError(badValue, {debug: false}).lines[0]).to.equal(
      'Invalid --limit: expected an integer greater than or equal to 1 but received: 0',
    );
    const missingArg = Object.assign(
      new Error('Missing 1 required arg:\nkey  the ticket: #12 or PROJ-7\nSee more help with --help'),
      {oclif: {exit: 2}},
    );
    expect(reportError(missingArg, {debug: false}).lines[0]).to.equal(
      'Missing required argument: key (the ticket: #12 or PROJ-7)',
    );
  });

  it('unexpected errors: one line plus how to get details; the stack only with DEBUG', () => {
    const plain = reportError(new RangeError('boom'), {debug: false});
    expect(plain.lines).to.deep.equal([
      'Unexpected error: boom',
      'Run again with DEBUG=* to see the details, and please report it.',
    ]);
    expect(reportError(new RangeError('boom'), {debug: true}).lines.join('\n')).to.match(
      /RangeError: boom\n\s+at /,
    );
  });

  it('masks registered secrets in every error line', () => {
    const token = 'ghp_abcdefghijklmnopqrstuvwxyz0123456789';
    registerSecret(token);
    const error = new ConnectorRequestError(`GET https://x/?t=${token} failed`, {
      provider: 'github',
      failureClass: 'authentication',
      hint: `token ${token} rejected`,
    });
    const {lines} = reportError(error, {debug: false});
    expect(lines.join('\n')).not.to.include(token);
    expect(lines[0]).to.include(maskSecret(token));
    expect(redactSecrets('short abc')).to.equal('short abc');
  });

  it('progress: a live line on a terminal with counts, pages and rate-limit waits; silent otherwise', () => {
    const written: string[] = [];
    let now = Date.parse('2026-01-01T10:00:00Z');
    const tty = {isTTY: true, columns: 200, write: (s: string) => written.push(s)};
    const display = new ProgressDisplay(tty, {json: false, now: () => now, minIntervalMs: 0});
    display.onEvent({type: 'page', provider: 'github', page: 2, items: 100});
    display.onEvent({type: 'progress', phase: 'pull', done: 150, total: null});
    display.onEvent({
      type: 'wait',
      provider: 'github',
      reason: 'rate_limit',
      ms: 30_000,
      until: '2026-01-01T10:00:30.000Z',
      attempt: 1,
    });
    expect(written.at(-1)).to.equal(
      '\r\u001B[2KPulling: 150 · 2 pages (100 issues) · waiting for rate limit until 10:00:30 UTC (30s)',
    );
    now += 31_000;
    display.onEvent({type: 'request', provider: 'github', method: 'GET', url: '/issues', status: 200, ms: 5});
    expect(written.at(-1)).not.to.include('waiting');
    display.finish();
    expect(written.at(-1)).to.equal('\r\u001B[2K');

    for (const [sink, json] of [
      [{isTTY: false, write: (s: string) => written.push(s)}, false],
      [{isTTY: true, write: (s: string) => written.push(s)}, true],
    ] as const) {
      const count = written.length;
      const quiet = new ProgressDisplay(sink, {json});
      quiet.onEvent({type: 'page', provider: 'github', page: 1, items: 1});
      quiet.finish();
      expect(written.length).to.equal(count);
    }
  });
});
