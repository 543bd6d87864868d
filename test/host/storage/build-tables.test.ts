import {promises as fs} from 'node:fs';
import * as fsSync from 'node:fs';
import * as path from 'node:path';

import {expect} from 'chai';

import {compareEvents} from '../../../src/core/log/events.js';
import {EventIdSet} from '../../../src/host/storage/read-index/event-id-set.js';
import {EventKeys} from '../../../src/host/storage/read-index/event-keys.js';
import {IdentityTable} from '../../../src/host/storage/read-index/identity-table.js';
import {termHash} from '../../../src/host/storage/read-index/index-format.js';
import {segmentsInterleave} from '../../../src/host/storage/read-index/segment-bounds.js';
import {StringArena} from '../../../src/host/storage/read-index/string-arena.js';
import {TokenTable} from '../../../src/host/storage/read-index/token-table.js';
import {LINE_CHUNK_BYTES, readLines} from '../../../src/host/storage/segment-lines.js';
import {tempRoot} from './helpers.js';
import {prng, ulid} from './random-log-kit.js';

describe('read index build: the flat tables that replace strings on the heap', function () {
  this.timeout(60_000);

  it('EventIdSet: a repeated id is never "surely new"; distinct ids are', () => {
    const set = new EventIdSet();
    for (let n = 0; n < 50_000; n += 1) expect(set.add(ulid(n)), `first ${n}`).to.equal(true);
    for (let n = 0; n < 50_000; n += 7) expect(set.add(ulid(n)), `again ${n}`).to.equal(false);
  });

  it('EventKeys: events come out in compareEvents order, repeats by listing order', () => {
    const random = prng(5);
    const forms = [
      (ms: number) => new Date(ms).toISOString(),
      (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z'),
      (ms: number) => new Date(ms).toISOString().replace('Z', '+00:00'),
    ];
    const events: {at: string; event_id: string}[] = [];
    const keys = new EventKeys();
    for (let k = 0; k < 3000; k += 1) {
      const repeat = k > 0 && random() < 0.1;
      const event = repeat
        ? events[Math.floor(random() * events.length)]!
        : {
            at: forms[Math.floor(random() * forms.length)]!(
              1_700_000_000_000 + Math.floor(random() * 20) * 1000,
            ),
            event_id: ulid(Math.floor(random() * 2 ** 40)),
          };
      events.push(event);
      keys.add(event.at, event.event_id, 0, k, 1);
    }
    const order = [...keys.order()];
    const expected = events.map((_, k) => k).sort((a, b) => compareEvents(events[a]!, events[b]!) || a - b);
    expect(order).to.deep.equal(expected);
    for (let k = 1; k < order.length; k += 1) {
      const same = compareEvents(events[order[k - 1]!]!, events[order[k]!]!) === 0;
      expect(keys.same(order[k - 1]!, order[k]!)).to.equal(same);
    }
  });

  it('StringArena and TokenTable: any string comes back exactly and orders as `<` does', () => {
    const random = prng(8);
    const alphabet = ['a', 'b', 'Z', '0', 'é', 'Ü', '中', '\ud83d\ude00', '\ud800', '\udfff', '_'];
    const words = Array.from({length: 2000}, () =>
      Array.from(
        {length: 1 + Math.floor(random() * 6)},
        () => alphabet[Math.floor(random() * alphabet.length)],
      ).join(''),
    );
    const arena = new StringArena();
    words.forEach((word, n) => expect(arena.add(word)).to.equal(n));
    words.forEach((word, n) => {
      expect(arena.get(n)).to.equal(word);
      expect(arena.equals(n, word)).to.equal(true);
      expect(arena.lengthOf(n)).to.equal(word.length);
    });
    for (let k = 0; k < 5000; k += 1) {
      const a = Math.floor(random() * words.length);
      const b = Math.floor(random() * words.length);
      const expected = words[a]! < words[b]! ? -1 : words[a]! > words[b]! ? 1 : 0;
      expect(Math.sign(arena.compare(a, b)), `${words[a]} vs ${words[b]}`).to.equal(expected);
      expect(arena.same(a, b)).to.equal(words[a] === words[b]);
    }
    const tokens = new TokenTable();
    const numbers = new Map<string, number>();
    for (const word of words) {
      const number = tokens.numberOf(word);
      if (!numbers.has(word)) numbers.set(word, number);
      expect(number, word).to.equal(numbers.get(word));
    }
    expect(tokens.size).to.equal(numbers.size);
    // A token found inside a longer text (the ASCII scan) is the same token.
    expect(tokens.numberOfSlice('xx ab yy', 3, 5)).to.equal(tokens.numberOf('ab'));
  });

  it('IdentityTable: identities whose hashes collide stay apart; the latest number wins', () => {
    // Two identities with the same 32-bit hash, found by trying (a birthday search).
    const seen = new Map<number, string>();
    let pair: [string, string] | null = null;
    const random = prng(13);
    for (let n = 0; pair === null && n < 1_000_000; n += 1) {
      const identity = `linear:acme:${Math.floor(random() * 2 ** 48).toString(36)}`;
      const hash = termHash(identity);
      const other = seen.get(hash);
      if (other !== undefined) pair = [other, identity];
      else seen.set(hash, identity);
    }
    expect(pair, 'a colliding pair').to.not.equal(null);
    const [a, b] = pair!;
    const owner = new Map<number, string>();
    const table = new IdentityTable((number, identity) => owner.get(number) === identity);
    const set = (identity: string, number: number) => {
      owner.set(number, identity);
      table.set(identity, number);
    };
    set(a, 1);
    set(b, 2);
    expect([table.get(a), table.get(b)]).to.deep.equal([1, 2]);
    set(a, 3);
    expect([table.get(a), table.get(b)]).to.deep.equal([3, 2]);
    for (let n = 10; n < 20_000; n += 1) set(`jira:site:P-${n}`, n);
    expect([table.get(a), table.get(b), table.get('jira:site:P-19999'), table.get('nope')]).to.deep.equal([
      3, 2, 19_999, -1,
    ]);
  });

  describe('segmentsInterleave: whether the fold in listing order can be skipped', () => {
    let root: string;
    let cleanup: () => Promise<void>;
    beforeEach(async () => ({root, cleanup} = await tempRoot('tracker-bounds-')));
    afterEach(() => cleanup());

    const line = (second: number, n: number, pad = 0) =>
      JSON.stringify({
        at: `2026-03-01T00:00:${String(second).padStart(2, '0')}.000Z`,
        event_id: ulid(n),
        kind: 'comment_sent',
        comment_id: ulid(n + 1) + ' '.repeat(pad),
      });
    const write = async (segments: string[][], ending = '\n') => {
      const names: string[] = [];
      for (const [k, lines] of segments.entries()) {
        const name = `${ulid(500 + k)}.jsonl`;
        await fs.writeFile(path.join(root, name), lines.join('\n') + (lines.length > 0 ? ending : ''));
        names.push(name);
      }
      return names;
    };

    it('one writer after another: no; a segment starting before the last one ended: yes', async () => {
      expect(
        segmentsInterleave(root, await write([[line(1, 1), line(2, 2)], [line(3, 3), line(4, 4)], []])),
      ).to.equal(false);
      expect(
        segmentsInterleave(
          root,
          await write([
            [line(1, 1), line(5, 2)],
            [line(3, 3), line(6, 4)],
          ]),
        ),
      ).to.equal(true);
      // The same instant orders by id, as the fold orders it.
      expect(segmentsInterleave(root, await write([[line(1, 9)], [line(1, 3)]]))).to.equal(true);
      expect(segmentsInterleave(root, await write([[line(5, 1), line(2, 2)]]))).to.equal(true);
    });

    it('reads lines longer than its window at both ends, skips a torn tail, and says no when unsure', async () => {
      const long = [line(1, 1, 200_000), line(2, 2), line(9, 3, 150_000)];
      expect(segmentsInterleave(root, await write([long, [line(10, 4)]]))).to.equal(false);
      expect(segmentsInterleave(root, await write([long, [line(8, 4)]]))).to.equal(true);
      // A torn last line is not an event: the one before it bounds the segment.
      expect(
        segmentsInterleave(root, await write([[line(1, 1), line(3, 2)], [line(4, 3)]], '\n{"at": "2026-03')),
      ).to.equal(false);
      expect(segmentsInterleave(root, await write([['not json'], [line(1, 1)]]))).to.equal(false);
      expect(segmentsInterleave(root, ['missing.jsonl'])).to.equal(false);
    });
  });

  describe('readLines: a file read a chunk at a time gives the same lines as the text split', () => {
    let root: string;
    let cleanup: () => Promise<void>;
    beforeEach(async () => ({root, cleanup} = await tempRoot('tracker-lines-')));
    afterEach(() => cleanup());

    for (const ending of ['\n', '']) {
      it(`lines across chunk boundaries, one longer than a chunk, multi-byte characters (${ending ? 'newline at the end' : 'no final newline'})`, async () => {
        const random = prng(ending.length + 3);
        const lines: string[] = [];
        let size = 0;
        while (size < 2.5 * LINE_CHUNK_BYTES) {
          const length = random() < 0.01 ? LINE_CHUNK_BYTES + 17 : Math.floor(random() * 3000);
          const line = random() < 0.05 ? '' : 'é中x'.repeat(Math.ceil(length / 6)).slice(0, length);
          lines.push(line);
          size += Buffer.byteLength(line) + 1;
        }
        const text = lines.join('\n') + ending;
        const file = path.join(root, 'segment.jsonl');
        await fs.writeFile(file, text);
        const got: {text: string; start: number; length: number; terminated: boolean}[] = [];
        const fd = fsSync.openSync(file, 'r');
        try {
          readLines(fd, (line, lineNo, start, length, terminated) => {
            expect(lineNo).to.equal(got.length + 1);
            got.push({text: line, start, length, terminated});
            return true;
          });
        } finally {
          fsSync.closeSync(fd);
        }
        const bytes = Buffer.from(text);
        const expected = ending === '' ? lines : lines.slice(0, lines.length);
        expect(got.map((line) => line.text)).to.deep.equal(expected);
        for (const line of got)
          expect(bytes.toString('utf8', line.start, line.start + line.length)).to.equal(line.text);
        expect(got.at(-1)!.terminated).to.equal(ending !== '');
      });
    }
  });
});
