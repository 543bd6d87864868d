import {expect} from 'chai';

import {ProgressDisplay} from '../../../src/host/cli/progress-display.js';

describe('progress display: connector notices', () => {
  it('prints a notice as a line of its own, on a terminal (clearing the progress line) and when piped', () => {
    const written: string[] = [];
    const tty = {isTTY: true, columns: 200, write: (s: string) => written.push(s)};
    const display = new ProgressDisplay(tty, {json: false, now: () => 0, minIntervalMs: 0});
    display.onEvent({type: 'progress', phase: 'push', done: 3, total: 10});
    display.onEvent({
      type: 'notice',
      provider: 'gitlab',
      message: 'dependencies are written as "relates to"',
    });
    expect(written.slice(-2)).to.deep.equal([
      '\r\u001B[2K',
      'note: dependencies are written as "relates to"\n',
    ]);

    const piped: string[] = [];
    const quiet = new ProgressDisplay({isTTY: false, write: (s: string) => piped.push(s)}, {json: true});
    quiet.onEvent({type: 'page', provider: 'gitlab', page: 1, items: 1});
    quiet.onEvent({type: 'notice', provider: 'gitlab', message: 'once'});
    expect(piped).to.deep.equal(['note: once\n']);
  });
});
