import {expect} from 'chai';
import {Writable} from 'node:stream';

import {stableJson} from '../../../src/host/cli/json-output.js';
import {streamWriter, writeJsonList, writeTable} from '../../../src/host/cli/streamed-output.js';
import {formatTable} from '../../../src/host/services/ticket-view.js';

async function collect(run: (write: (chunk: string) => Promise<void>) => Promise<unknown>): Promise<string> {
  let out = '';
  await run(async (chunk) => {
    out += chunk;
  });
  return out;
}

describe('streamed output is byte-identical to printing the finished value', () => {
  const fields = {provider: 'github', workspace: 'acme/app', warnings: ['torn tail in x.jsonl']};
  const items = [
    {
      identity: 'github:acme/app:1',
      title: 'Caf\u00e9 \u2603',
      labels: ['a', 'b'],
      state: {name: 'todo'},
      n: null,
    },
    {identity: 'github:acme/app:2', title: 'Second', labels: [], state: {name: 'done'}, n: 3},
  ];

  for (const count of [0, 1, 2]) {
    it(`a JSON list of ${count} item(s)`, async () => {
      const list = items.slice(0, count);
      const streamed = await collect((write) => writeJsonList(write, fields, 'tickets', list));
      expect(streamed).to.equal(stableJson({...fields, tickets: list, total: count}) + '\n');
    });
  }

  it('many items across chunks', async () => {
    const list = Array.from({length: 2000}, (_, i) => ({...items[0], identity: `github:acme/app:${i}`}));
    const streamed = await collect((write) => writeJsonList(write, fields, 'tickets', list));
    expect(streamed).to.equal(stableJson({...fields, tickets: list, total: list.length}) + '\n');
  });

  it('a table, measured then printed', async () => {
    const header = ['KEY', 'STATUS', 'TITLE'];
    const rows = [
      ['#1', 'in_progress', 'First'],
      ['#12345', 'todo', 'Second  '],
    ];
    const streamed = await collect((write) => writeTable(write, header, () => rows));
    expect(streamed).to.equal(formatTable(header, rows).join('\n') + '\n');
  });
});

describe('writing to a stream', () => {
  /** A stream whose writes fail with `code` (a pipe whose reader went away: EPIPE). */
  const failing = (code: string) => {
    const seen: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        seen.push(chunk.toString());
        callback(Object.assign(new Error(`write ${code}`), {code}));
      },
    });
    stream.on('error', () => undefined);
    return {stream, seen};
  };

  it('drops the rest quietly once the reader went away (`--json | head`)', async () => {
    const {stream, seen} = failing('EPIPE');
    const write = streamWriter(stream);
    await write('{\n');
    await new Promise((resolve) => setImmediate(resolve));
    await write('  "a": 1\n');
    await write('}\n');
    expect(seen).to.deep.equal(['{\n']);
  });
});
