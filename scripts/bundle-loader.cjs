'use strict';
/**
 * dist/cli/tracker.cjs (copied there by scripts/bundle.mjs): what package.json `oclif.commands`
 * points at and what bin/run.js requires. It loads the CLI bundle next to it, tracker-bundle.cjs,
 * and exports what the bundle exports: COMMANDS (oclif's explicit command discovery) and oclif's
 * `execute`.
 *
 * It compiles the bundle itself, with V8's code cache (tracker-bundle.cjs.cache, made by
 * `npm run build`), because Node 20 has no compile cache of its own: with the cache, V8 skips
 * parsing and compiling the functions a start needs, a large share of the start-up time. The
 * loader takes a cache only if it was made for this very bundle (same build id); V8 rejects one
 * made by another Node or V8 version or under other V8 flags. Without a cache the bundle is
 * compiled as usual, only slower. Nothing is written at run time.
 *
 * Inside code compiled this way Node 20 cannot run `import()`; the bundle's few calls of it
 * (where @oclif/core imports a plugin's ES module) go through `__trackerImport`, which the
 * loader passes in and which imports from here (see scripts/bundle.mjs).
 */
const {readFileSync} = require('node:fs');
const {createRequire, Module} = require('node:module');
const path = require('node:path');
const vm = require('node:vm');

const bundle = path.join(__dirname, 'tracker-bundle.cjs');
const WRAPPER = ['exports', 'require', 'module', '__filename', '__dirname', '__trackerImport'];
/** The bundle ends with this mark and its build's id; the code cache file starts with the same id. */
const ID_MARK = '\n// tracker-bundle-id: ';
const ID_LENGTH = 16;

// Pure ASCII (scripts/bundle.mjs makes sure): latin1 reads it into a one-byte string, fastest.
const source = readFileSync(bundle, 'latin1');
const mark = source.lastIndexOf(ID_MARK);
const id = mark < 0 ? '' : source.slice(mark + ID_MARK.length, mark + ID_MARK.length + ID_LENGTH);

/** The code cache made for this very bundle, or undefined (none, or one from another build). */
function readCodeCache() {
  try {
    const file = readFileSync(`${bundle}.cache`);
    if (id.length !== ID_LENGTH || file.toString('latin1', 0, ID_LENGTH) !== id) return undefined;
    return file.subarray(ID_LENGTH);
  } catch {
    return undefined;
  }
}

const cachedData = readCodeCache();
const script = new vm.Script(`(function (${WRAPPER.join(', ')}) {${source}\n})`, {
  filename: bundle,
  cachedData,
});
const bundleModule = new Module(bundle, module);
bundleModule.filename = bundle;
bundleModule.paths = Module._nodeModulePaths(__dirname);
script
  .runInThisContext()
  .call(
    bundleModule.exports,
    bundleModule.exports,
    createRequire(bundle),
    bundleModule,
    bundle,
    __dirname,
    (specifier) => import(specifier),
  );
bundleModule.loaded = true;

module.exports = bundleModule.exports;

/**
 * For scripts/bundle.mjs and the tests: the bundle's build id, whether V8 took the code cache, and
 * a new code cache of everything compiled so far.
 */
Object.defineProperty(module.exports, Symbol.for('@spec-kitty/plugin-tracker:code-cache'), {
  value: () => ({
    id,
    used: cachedData !== undefined && !script.cachedDataRejected,
    create: () => script.createCachedData(),
  }),
});
