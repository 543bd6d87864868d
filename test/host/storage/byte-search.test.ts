import {expect} from 'chai';

import {
  holdsKelvinSign,
  linesHolding,
  linesHoldingCaseless,
  type LineSpan,
  type MatchStart,
} from '../../../src/host/storage/read-index/byte-search.js';
import {prng} from './random-log-kit.js';

/** The lines of `buffers` (each ending in a newline) for which `holds(line)` is true. */
function reference(buffers: Buffer[], holds: (line: string) => boolean): LineSpan[] {
  const out: LineSpan[] = [];
  buffers.forEach((buffer, s) => {
    for (let start = 0; start < buffer.length;) {
      const end = buffer.indexOf(10, start);
      if (holds(buffer.toString('latin1', start, end))) out.push([s, start, end]);
      start = end + 1;
    }
  });
  return out;
}

const asciiLower = (text: string) => text.replace(/[A-Z]/g, (c) => c.toLowerCase());

/** Whether `line` holds `needle` (in `line` as `seen` shows it) at a place `start` takes. */
function holdsAt(line: string, seen: string, needle: string, start: MatchStart): boolean {
  for (let at = seen.indexOf(needle); at !== -1; at = seen.indexOf(needle, at + 1)) {
    const before = line.slice(0, at);
    if (start === 'anywhere' || before.endsWith(':') || before.endsWith('"id": "')) return true;
    if (start === 'key' && (before.endsWith('"key": "') || before.endsWith('"key": "#'))) return true;
  }
  return false;
}

describe('byte search of segments', () => {
  it('finds exactly the lines holding a needle (in any ASCII case, or byte for byte) where it may start', () => {
    const random = prng(7);
    const pieces = [
      'a',
      'A',
      'b',
      'B',
      'k',
      'K',
      '-',
      '1',
      '2',
      '"',
      ' ',
      ':',
      '#',
      '\\',
      '"id": "',
      '"key": "',
      '"key": "#',
    ];
    let found = 0;
    for (let round = 0; round < 600; round += 1) {
      const buffers = Array.from({length: 1 + Math.floor(random() * 3)}, () => {
        let text = '';
        const length = Math.floor(random() * 200);
        for (let i = 0; i < length; i += 1)
          text += random() < 0.04 ? '\n' : pieces[Math.floor(random() * pieces.length)];
        return Buffer.from(`${text}\n`, 'latin1');
      });
      // A needle cut from the bytes (so that it is often there), lower-cased, 1 to 8 characters.
      const source = buffers[0]!.toString('latin1').replace(/\n/g, '');
      const from = Math.floor(random() * Math.max(1, source.length - 1));
      const needle = asciiLower(source.slice(from, from + 1 + Math.floor(random() * 8))) || 'a';
      const start = (['anywhere', 'id', 'key'] as const)[round % 3];
      const what = `round ${round} needle ${needle} start ${start}`;
      const caseless = reference(buffers, (line) => holdsAt(line, asciiLower(line), needle, start));
      expect(linesHoldingCaseless(buffers, needle, start), what).to.deep.equal(caseless);
      const exact = reference(buffers, (line) => holdsAt(line, line, needle, start));
      expect(linesHolding(buffers, needle, start), what).to.deep.equal(exact);
      found += caseless.length;
    }
    expect(found).to.be.greaterThan(1000);
  });

  it('tells whether the segments hold the Kelvin sign, as canonical JSON escapes it', () => {
    const lines = (text: string) => [Buffer.from('{"a": "b"}\n'), Buffer.from(`${text}\n`)];
    expect(holdsKelvinSign(lines('{"key": "\\u212a-7"}'))).to.equal(true);
    expect(holdsKelvinSign(lines('{"key": "\\u212A-7"}'))).to.equal(true);
    expect(holdsKelvinSign(lines('{"key": "\\u2129-7 \\u212b"}'))).to.equal(false);
    expect(holdsKelvinSign(lines('{"key": "K-7"}'))).to.equal(false);
  });
});
