import {expect} from 'chai';
import {spawnSync} from 'node:child_process';
import {existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';

const root = join(import.meta.dirname, '..');
const loader = join(root, 'dist', 'cli', 'tracker.cjs');

/**
 * Runs `tracker status --json` through the built loader in a plain `node` (no test-runner flags),
 * in a throwaway bound project, and reports what the start-up cost depends on.
 */
function statusThroughLoader(): {
  status: {bound?: boolean};
  codeCache: {used: boolean};
  fromNodeModules: string[];
  builtins: string[];
} {
  const base = mkdtempSync(join(tmpdir(), 'tracker-bundle-test-'));
  try {
    const project = join(base, 'project');
    mkdirSync(join(project, '.kittify'), {recursive: true});
    writeFileSync(
      join(project, '.kittify', 'config.yaml'),
      'tracker:\n  provider: github\n  workspace: acme/app\n',
    );
    const script = `
      const {writeSync} = require('node:fs');
      const originalWrite = process.stdout.write.bind(process.stdout);
      let out = '';
      process.stdout.write = (chunk) => ((out += chunk), true);
      const loader = require(${JSON.stringify(loader)});
      loader.execute({args: ['tracker', 'status', '--json'], dir: ${JSON.stringify(root)}}).then(() => {
        process.stdout.write = originalWrite;
        const fromNodeModules = Object.keys(require.cache).filter((file) => file.includes('node_modules'));
        const {used} = loader[Symbol.for('@spec-kitty/plugin-tracker:code-cache')]();
        const builtins = process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice(13));
        writeSync(1, JSON.stringify({status: JSON.parse(out), codeCache: {used}, fromNodeModules, builtins}));
      });
    `;
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: join(base, 'home'),
      SPEC_KITTY_HOME: join(base, 'spec-kitty-home'),
      XDG_CONFIG_HOME: join(base, 'xdg'),
      XDG_DATA_HOME: join(base, 'xdg'),
      OCLIF_SKIP_NEW_VERSION_CHECK: 'true',
    };
    const run = spawnSync(process.execPath, ['-e', script], {cwd: project, env, encoding: 'utf8'});
    expect(run.status, run.stderr).to.equal(0);
    return JSON.parse(run.stdout) as ReturnType<typeof statusThroughLoader>;
  } finally {
    rmSync(base, {recursive: true, force: true});
  }
}

describe('the CLI bundle (dist/cli, made by npm run build)', () => {
  let result: ReturnType<typeof statusThroughLoader>;

  before(function () {
    if (!existsSync(loader))
      throw new Error('dist/cli/tracker.cjs is missing: run `npm run build` (npm test does)');
    this.timeout(60_000);
    result = statusThroughLoader();
  });

  it('runs tracker status --json', () => {
    expect(result.status.bound).to.equal(true);
  });

  it('starts with the code cache the build made for it', () => {
    expect(result.codeCache.used).to.equal(true);
  });

  it('loads nothing from node_modules for it: every package it needs is in the bundle', () => {
    // A package listed here is one @oclif/core started to use at start-up (see DEFERRED in
    // scripts/bundle.mjs), or one our code requires outside the bundle.
    expect(result.fromNodeModules).to.deep.equal([]);
  });

  it('loads no child_process and no readline at start (the WSL check and the debug stand-in)', () => {
    expect(result.builtins).to.include('fs');
    expect(
      result.builtins.filter((m) => /^(child_process|readline|internal\/child_process)$/.test(m)),
    ).to.deep.equal([]);
  });

  it('still logs what DEBUG asks for (the debug stand-in hands over to the real package)', function () {
    this.timeout(30_000);
    const base = mkdtempSync(join(tmpdir(), 'tracker-bundle-debug-'));
    try {
      const run = spawnSync(process.execPath, [join(root, 'bin', 'run.js'), 'tracker', '--version'], {
        cwd: base,
        env: {PATH: process.env.PATH, HOME: base, OCLIF_SKIP_NEW_VERSION_CHECK: 'true', DEBUG: 'oclif:main'},
        encoding: 'utf8',
      });
      expect(run.stderr).to.match(/oclif:main /);
    } finally {
      rmSync(base, {recursive: true, force: true});
    }
  });
});
