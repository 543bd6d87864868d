import {Command} from '@oclif/core';
import {expect} from 'chai';
import {readdirSync} from 'node:fs';
import {join, relative, sep} from 'node:path';
import {pathToFileURL} from 'node:url';

import {COMMANDS} from '../../src/commands.js';

const commandsDir = join(import.meta.dirname, '..', '..', 'src', 'commands');

/** Command files as oclif's pattern discovery would find them, with the id it would give each. */
function commandFiles(): {id: string; file: string}[] {
  return readdirSync(commandsDir, {recursive: true, encoding: 'utf8'})
    .filter((f) => f.endsWith('.ts') && !/\.(d|test|spec)\.ts$/.test(f))
    .map((f) => {
      const parts = relative(commandsDir, join(commandsDir, f)).replace(/\.ts$/, '').split(sep);
      if (parts.at(-1) === 'index') parts.pop();
      return {id: parts.join(':'), file: join(commandsDir, f)};
    })
    .sort((a, b) => a.id.localeCompare(b.id));
}

describe('the command registry (src/commands.ts, oclif explicit discovery)', () => {
  it('lists every command file under src/commands, by the id its path gives it, and nothing else', () => {
    expect(Object.keys(COMMANDS).sort()).to.deep.equal(commandFiles().map((c) => c.id));
  });

  it("maps each id to its file's default-exported command class", async () => {
    for (const {id, file} of commandFiles()) {
      const mod = (await import(pathToFileURL(file).href)) as {default?: unknown};
      expect(mod.default, id).to.equal(COMMANDS[id as keyof typeof COMMANDS]);
      expect((mod.default as typeof Command).prototype, id).to.be.instanceOf(Command);
    }
  });
});
