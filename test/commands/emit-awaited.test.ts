import {readdirSync, readFileSync} from 'node:fs';
import {join, relative} from 'node:path';

import {expect} from 'chai';

const root = join(import.meta.dirname, '..', '..');

function sources(dir: string): string[] {
  return readdirSync(dir, {withFileTypes: true}).flatMap((entry) =>
    entry.isDirectory()
      ? sources(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  );
}

/**
 * A command's report is written in chunks, each after the pipe took the one before (`emit` is
 * async): an `emit` nobody awaits can be cut short by the `exit` that follows it, and nothing
 * else (no type-aware lint here) would notice.
 */
describe('commands await what they emit', () => {
  it('every this.emit( in src/ is awaited or returned', () => {
    const loose: string[] = [];
    for (const file of sources(join(root, 'src'))) {
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, k) => {
          if (/this\.emit\(/.test(line) && !/(await|return)\s+this\.emit\(/.test(line))
            loose.push(`${relative(root, file)}:${k + 1}: ${line.trim()}`);
        });
    }
    expect(loose).to.deep.equal([]);
  });
});
