import {Command} from '@oclif/core';
import {expect} from 'chai';
import {existsSync, readdirSync, readFileSync} from 'node:fs';
import {createRequire} from 'node:module';
import {join, relative, sep} from 'node:path';
import {pathToFileURL} from 'node:url';

const root = join(import.meta.dirname, '..');
const commandsDir = join(root, 'src', 'commands');

interface ManifestCommand {
  flags?: Record<string, unknown>;
  args?: Record<string, unknown>;
}
interface Manifest {
  version: string;
  commands: Record<string, ManifestCommand>;
}
/** What a command class declares, as read from its static properties. */
interface DeclaredCommand {
  id: string;
  flags: string[];
  args: string[];
}

/** Command files as oclif finds them: every .ts except declarations and tests. */
function commandFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, {recursive: true, encoding: 'utf8'})
    .filter((f) => f.endsWith('.ts') && !/\.(d|test|spec)\.ts$/.test(f))
    .map((f) => join(dir, f))
    .sort();
}

/** oclif's id for a command file: its path segments under commands/ joined by ':' (`index` names its folder). */
function commandId(file: string): string {
  const parts = relative(commandsDir, file).replace(/\.ts$/, '').split(sep);
  if (parts.at(-1) === 'index') parts.pop();
  return parts.join(':');
}

async function declaredCommands(): Promise<DeclaredCommand[]> {
  const out: DeclaredCommand[] = [];
  for (const file of commandFiles(commandsDir)) {
    const mod = (await import(pathToFileURL(file).href)) as {default?: unknown};
    if (typeof mod.default !== 'function' || !(mod.default.prototype instanceof Command)) {
      throw new Error(`${relative(root, file)} has no default-exported oclif command class`);
    }
    const cls = mod.default as Command.Class;
    const flags = new Set([...Object.keys(cls.baseFlags ?? {}), ...Object.keys(cls.flags ?? {})]);
    if (cls.enableJsonFlag) flags.add('json');
    out.push({id: commandId(file), flags: [...flags].sort(), args: Object.keys(cls.args ?? {}).sort()});
  }
  return out;
}

/** Every way the manifest fails to describe the declared commands; empty when it is complete. */
function manifestProblems(manifest: Manifest, declared: DeclaredCommand[]): string[] {
  const problems: string[] = [];
  for (const cmd of declared) {
    const entry = manifest.commands[cmd.id];
    if (!entry) {
      problems.push(`command ${cmd.id} is missing from the manifest`);
      continue;
    }
    for (const flag of cmd.flags) {
      if (!entry.flags || !(flag in entry.flags)) problems.push(`flag --${flag} of ${cmd.id} is missing`);
    }
    for (const arg of cmd.args) {
      if (!entry.args || !(arg in entry.args)) problems.push(`arg ${arg} of ${cmd.id} is missing`);
    }
  }
  const ids = new Set(declared.map((c) => c.id));
  for (const id of Object.keys(manifest.commands)) {
    if (!ids.has(id)) problems.push(`manifest lists ${id}, which has no file under src/commands`);
  }
  return problems;
}

describe('oclif.manifest.json', () => {
  let manifest: Manifest;
  let declared: DeclaredCommand[];

  before(async () => {
    const file = join(root, 'oclif.manifest.json');
    if (!existsSync(file))
      throw new Error('oclif.manifest.json is missing: run `npm run build` (npm test does)');
    manifest = JSON.parse(readFileSync(file, 'utf8')) as Manifest;
    declared = await declaredCommands();
  });

  it('is for the current package version', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {version: string};
    expect(manifest.version).to.equal(pkg.version);
  });

  it('finds the command files', () => {
    expect(declared.map((c) => c.id)).to.include('tracker:providers');
  });

  it('has every command, flag and arg the command classes declare, and nothing else', () => {
    expect(manifestProblems(manifest, declared)).to.deep.equal([]);
  });

  it("matches the built command registry that package.json's oclif.commands points at", () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      oclif: {commands: {strategy: string; target: string; identifier: string}};
    };
    const {strategy, target, identifier} = pkg.oclif.commands;
    expect(strategy).to.equal('explicit');
    const file = join(root, target);
    expect(existsSync(file), `${target} is missing: run \`npm run build\``).to.equal(true);
    // The loader is CommonJS (it compiles the bundle with a code cache): require it as oclif does.
    const registry = (createRequire(import.meta.url)(file) as Record<string, Record<string, unknown>>)[
      identifier
    ];
    expect(Object.keys(registry ?? {}).sort()).to.deep.equal(Object.keys(manifest.commands).sort());
  });

  it('the comparison notices a missing command, flag or arg', () => {
    const fake: DeclaredCommand[] = [
      {id: 'tracker:providers', flags: ['json', 'nope'], args: ['what']},
      {id: 'tracker:ghost', flags: [], args: []},
    ];
    // Judge the fake declarations against the real manifest's entry for providers only, so the
    // expectation does not depend on how many other commands the plugin has.
    const onlyProviders: Manifest = {
      ...manifest,
      commands: {'tracker:providers': manifest.commands['tracker:providers']!},
    };
    expect(manifestProblems(onlyProviders, fake)).to.deep.equal([
      'flag --nope of tracker:providers is missing',
      'arg what of tracker:providers is missing',
      'command tracker:ghost is missing from the manifest',
    ]);
    const withoutProviders: Manifest = {...manifest, commands: {...manifest.commands}};
    delete withoutProviders.commands['tracker:providers'];
    expect(manifestProblems(withoutProviders, declared)).to.include(
      'command tracker:providers is missing from the manifest',
    );
  });
});
