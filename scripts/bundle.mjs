/**
 * The `npm run build` step after tsc: bundles the CLI, so that `spec-kitty tracker ...` starts in a
 * fraction of the time Node takes to resolve, read and compile @oclif/core and our modules file by
 * file. How and why: docs/ARCHITECTURE.md, "How the CLI starts fast". It writes dist/cli/:
 *
 * - tracker-bundle.cjs: esbuild's bundle of src/commands.ts (every command class, COMMANDS) and
 *   @oclif/core's `execute`, as one CommonJS file. Everything a command imports with `import()`
 *   (its service, the storage, each connector, simple-git) is in it but runs only when imported.
 * - tracker.cjs: the loader (scripts/bundle-loader.cjs), the target of package.json
 *   `oclif.commands`; it compiles the bundle with V8's code cache.
 * - tracker-bundle.cjs.cache: that code cache, made by running `tracker status --json` once in a
 *   throwaway bound project (which also proves the bundle runs).
 *
 * Usage: node scripts/bundle.mjs   (after tsc; `npm run build` runs it)
 */
import {spawnSync} from 'node:child_process';
import {createHash} from 'node:crypto';
import {copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {createRequire} from 'node:module';
import {tmpdir} from 'node:os';
import * as path from 'node:path';
import {fileURLToPath} from 'node:url';

import * as esbuild from 'esbuild';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const outDir = path.join(root, 'dist', 'cli');
const bundleFile = path.join(outDir, 'tracker-bundle.cjs');
const loaderFile = path.join(outDir, 'tracker.cjs');
const require = createRequire(import.meta.url);
const oclifCorePackage = require.resolve('@oclif/core/package.json');
const oclifCoreDir = path.dirname(oclifCorePackage);

/**
 * Packages @oclif/core `require`s as it loads but that running one of our commands never uses,
 * with what @oclif/core uses each for. The bundle holds a stand-in for each: the first property
 * read or call requires the real package (the version @oclif/core depends on) from node_modules.
 */
const DEFERRED = {
  minimatch: 'matching core and dev plugin names (oclif.plugins, oclif.devPlugins)',
  tinyglobby: "the 'pattern' command discovery (ours is 'explicit')",
  'cli-spinners': 'the spinner of ux.action on a terminal',
  ejs: 'rendering help text and examples (<%= config.bin %>)',
  lilconfig: 'oclif settings kept outside package.json (ours are in package.json)',
  'wrap-ansi': 'wrapping help text and the errors oclif prints itself',
  'string-width': 'laying out help',
  'widest-line': 'laying out help',
  'node:readline': 'reading flag values from stdin',
  'node:perf_hooks': 'its performance tracing (OCLIF_PERF)',
  'node:child_process': "finding the user's shell on Windows (autocomplete and update hints)",
};

const escape = (text) => text.replace(/[-/\\^$*+?.()|[\]{}]/g, '\\$&');

/**
 * Our code imports the @oclif/core index. The bundle takes the same classes from the modules the
 * index re-exports them from, so that the index's own start-up checks (the working folder exists;
 * Node satisfies @oclif/core's engines range, which needs semver) do not run on every start.
 * package.json `engines` states which Node versions we support.
 */
const oclifModulesPlugin = {
  name: 'oclif-core-modules',
  setup(build) {
    const src = path.join(root, 'src') + path.sep;
    build.onResolve({filter: /^@oclif\/core$/}, (args) =>
      args.importer.startsWith(src) ? {path: '@oclif/core', namespace: 'oclif-core-modules'} : undefined,
    );
    build.onLoad({filter: /.*/, namespace: 'oclif-core-modules'}, () => ({
      loader: 'js',
      resolveDir: root,
      contents: [
        "export {Command} from '@oclif/core/command';",
        "export * as Args from '@oclif/core/args';",
        "export * as Errors from '@oclif/core/errors';",
        "export * as Flags from '@oclif/core/flags';",
      ].join('\n'),
    }));
  },
};

/** Replaces the DEFERRED packages, where @oclif/core requires them, with stand-ins. */
const deferred = new Set();
const deferPlugin = {
  name: 'defer-oclif-dependencies',
  setup(build) {
    const filter = new RegExp(`^(${Object.keys(DEFERRED).map(escape).join('|')})$`);
    build.onResolve({filter}, (args) =>
      args.importer.startsWith(oclifCoreDir + path.sep)
        ? {path: args.path, namespace: 'deferred'}
        : undefined,
    );
    build.onLoad({filter: /.*/, namespace: 'deferred'}, (args) => {
      deferred.add(args.path);
      // TypeScript's __importDefault asks for __esModule as soon as the module loads: answer it
      // without loading the package.
      const esModule = createRequire(oclifCorePackage)(args.path).__esModule === true;
      const name = JSON.stringify(args.path);
      const load = args.path.startsWith('node:')
        ? `require(${name})`
        : `require('node:module').createRequire(require.resolve(CORE))(${name})`;
      return {
        loader: 'js',
        resolveDir: root,
        contents: `// Stand-in for ${name}, used by @oclif/core for ${DEFERRED[args.path]}.
const CORE = '@oclif/core/package.json';
let real;
const load = () => (real ??= ${load});
module.exports = new Proxy(function deferred() {}, {
  get: (_, key) => (key === '__esModule' ? ${esModule} : Reflect.get(load(), key)),
  has: (_, key) => Reflect.has(load(), key),
  apply: (_, self, args) => Reflect.apply(load(), self, args),
});
`,
      };
    });
  },
};

/**
 * `debug`, which @oclif/core's logger calls to make one logging function per namespace at every
 * start: without DEBUG in the environment those functions print nothing, and the package (with
 * tty, util's inspection and colour detection) costs about 5 ms to load. The stand-in makes
 * silent functions then, and hands over to the real package when DEBUG is set (nothing in
 * @oclif/core turns logging on later).
 */
const debugPlugin = {
  name: 'debug-when-asked',
  setup(build) {
    build.onResolve({filter: /^debug$/}, (args) =>
      args.importer.startsWith(oclifCoreDir + path.sep)
        ? {path: 'debug', namespace: 'debug-when-asked'}
        : undefined,
    );
    build.onLoad({filter: /.*/, namespace: 'debug-when-asked'}, () => ({
      loader: 'js',
      resolveDir: root,
      contents: `// Stand-in for "debug" (scripts/bundle.mjs, debugPlugin).
const CORE = '@oclif/core/package.json';
const real = () => require('node:module').createRequire(require.resolve(CORE))('debug');
function createDebug(namespace) {
  if (process.env.DEBUG) return real()(namespace);
  const silent = () => undefined;
  silent.enabled = false;
  silent.namespace = namespace;
  return silent;
}
module.exports = createDebug;
`,
    }));
  },
};

/**
 * Edits to @oclif/core's code in the bundle. Each is checked to apply exactly as often as expected,
 * so that an @oclif/core update that changes the code fails the build, not the CLI.
 */
const OCLIF_EDITS = [
  // Node 20 runs no `import()` in code compiled with vm.Script (the loader's way to use a code
  // cache) unless started with --experimental-vm-modules. @oclif/core imports plugins' ES modules
  // (and tsx in development) with it: those calls go through `__trackerImport`, a parameter of
  // the loader's wrapper that imports from the loader.
  {file: 'lib/module-loader.js', find: 'await import(', replace: 'await __trackerImport(', count: 3},
  {file: 'lib/config/ts-path.js', find: 'await import(', replace: 'await __trackerImport(', count: 1},
  // A plugin's commands are sorted with localeCompare, whose first call builds an ICU collator:
  // 10 to 20 ms of every start. Help sorts them again itself (by code unit); for command ids made
  // of lowercase letters, digits, ':' and '-' both orders are the same.
  {
    file: 'lib/config/plugin.js',
    find: '.sort((a, b) => a.id.localeCompare(b.id))',
    replace: '.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))',
    count: 1,
  },
  // Every start asks whether this is WSL through wsl-utils, which loads child_process, util's
  // promisify, fs/promises and powershell-utils to say what is-wsl (its own source of the answer)
  // says alone.
  {
    file: 'lib/util/os.js',
    find: "(await import('wsl-utils')).isWsl",
    replace: "(await import('is-wsl')).default",
    count: 1,
  },
];

const oclifEditsPlugin = {
  name: 'oclif-core-edits',
  setup(build) {
    const files = [...new Set(OCLIF_EDITS.map((edit) => path.join(oclifCoreDir, edit.file)))];
    const filter = new RegExp(`^(${files.map(escape).join('|')})$`);
    build.onLoad({filter}, (args) => {
      const file = path.relative(oclifCoreDir, args.path).split(path.sep).join('/');
      let text = readFileSync(args.path, 'utf8');
      for (const edit of OCLIF_EDITS.filter((e) => e.file === file)) {
        const found = text.split(edit.find).length - 1;
        if (found !== edit.count)
          throw new Error(
            `@oclif/core ${file} has ${found} "${edit.find}" where scripts/bundle.mjs expects ${edit.count}: review OCLIF_EDITS`,
          );
        text = text.replaceAll(edit.find, edit.replace);
      }
      return {loader: 'js', contents: text};
    });
  },
};

/**
 * Connectors (and their HTTP code), the sync engine and simple-git are for the commands that talk
 * to a tracker or need git: the commands must reach them only through an `import()`, so that they
 * run only when a command imports them. Fails the build when a static import pulls one in.
 */
function assertLazy(metafile) {
  const lazy = [
    /^src\/core\/connectors\/[^/]+\//,
    /^src\/core\/http\//,
    /^src\/core\/sync\/sync-engine\.ts$/,
    /node_modules\/simple-git\//,
  ];
  const seen = new Set();
  const queue = ['<stdin>'];
  while (queue.length > 0) {
    const file = queue.pop();
    if (seen.has(file)) continue;
    seen.add(file);
    for (const dep of metafile.inputs[file]?.imports ?? []) {
      if (dep.kind === 'dynamic-import' || dep.external) continue;
      if (lazy.some((pattern) => pattern.test(dep.path)))
        throw new Error(`${file} imports ${dep.path} statically: every start would run it`);
      queue.push(dep.path);
    }
  }
  for (const pattern of lazy)
    if (!Object.keys(metafile.inputs).some((file) => pattern.test(file)))
      throw new Error(`nothing in the bundle matches ${pattern}: review assertLazy in scripts/bundle.mjs`);
}

/**
 * The bundle as pure ASCII, which the loader reads as latin1: a one-byte string, made faster than
 * a UTF-8 decode that would turn the whole source into a two-byte string over a few characters.
 * esbuild already escapes non-ASCII characters everywhere but in regular expression literals
 * (e.g. box-drawing characters in the fp connector's output parser); those are escaped here, which
 * changes nothing they match. Anything else non-ASCII fails the build.
 */
function asciiOnly(code) {
  const found = [...code.matchAll(/[\u0080-\uffff]/g)].map((match) => match.index);
  if (found.length === 0) return code;
  const ts = require('typescript');
  const file = ts.createSourceFile('bundle.js', code, ts.ScriptTarget.Latest, false, ts.ScriptKind.JS);
  const regexes = [];
  const visit = (node) => {
    if (node.kind === ts.SyntaxKind.RegularExpressionLiteral) regexes.push([node.getStart(file), node.end]);
    ts.forEachChild(node, visit);
  };
  visit(file);
  let out = '';
  let last = 0;
  for (const at of found) {
    if (!regexes.some(([start, end]) => start <= at && at < end))
      throw new Error(
        `non-ASCII character outside a regular expression in the bundle: ${code.slice(at - 40, at + 40)}`,
      );
    // An identity escape (a backslash, then the character) is the character itself.
    let backslashes = 0;
    while (code[at - 1 - backslashes] === '\\') backslashes += 1;
    out += code.slice(last, backslashes % 2 === 1 ? at - 1 : at);
    out += `\\u${code.charCodeAt(at).toString(16).padStart(4, '0')}`;
    last = at + 1;
  }
  return out + code.slice(last);
}

rmSync(outDir, {recursive: true, force: true});
mkdirSync(outDir, {recursive: true});
const result = await esbuild.build({
  absWorkingDir: root,
  stdin: {
    contents:
      "export {COMMANDS, COMMAND_NOT_FOUND} from './src/commands.ts';\nexport {execute} from '@oclif/core/execute';\n",
    resolveDir: root,
    sourcefile: 'cli-entry.ts',
    loader: 'ts',
  },
  outfile: bundleFile,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  // Less to read, and a code cache 40% smaller (so faster to load). Names are kept: error classes
  // and stack traces read as in the source.
  minifyWhitespace: true,
  minifySyntax: true,
  // Only @oclif/core's tsconfig reader wants typescript, and only in development.
  external: ['typescript'],
  plugins: [oclifModulesPlugin, deferPlugin, debugPlugin, oclifEditsPlugin],
  logLevel: 'warning',
  metafile: true,
});

const code = asciiOnly(readFileSync(bundleFile, 'utf8'));
const stray = [...code.matchAll(/(?<![\w$.'"`])import\(/g)].length;
if (stray > 0)
  throw new Error(`${bundleFile} still calls import() ${stray} time(s): the loader cannot run that`);
assertLazy(result.metafile);
const unused = Object.keys(DEFERRED).filter((name) => !deferred.has(name));
if (unused.length > 0)
  throw new Error(`@oclif/core no longer requires ${unused.join(', ')}: update DEFERRED`);
// The build id ends the bundle and starts the code cache file: the loader takes only a cache made
// for the bundle next to it.
const id = createHash('sha256').update(code).digest('hex').slice(0, 16);
writeFileSync(bundleFile, `${code}\n// tracker-bundle-id: ${id}\n`);
copyFileSync(path.join(root, 'scripts', 'bundle-loader.cjs'), loaderFile);

// The code cache: run `tracker status --json` once in a throwaway bound project, in a process of
// its own with no NODE_OPTIONS (V8 accepts a cache only under the flags it was made with).
const sandbox = mkdtempSync(path.join(tmpdir(), 'tracker-bundle-'));
try {
  const project = path.join(sandbox, 'project');
  mkdirSync(path.join(project, '.kittify'), {recursive: true});
  writeFileSync(
    path.join(project, '.kittify', 'config.yaml'),
    'tracker:\n  provider: github\n  workspace: acme/widgets\n',
  );
  const warmUp = `
    const {writeFileSync} = require('node:fs');
    const loader = require(${JSON.stringify(loaderFile)});
    loader.execute({args: ['tracker', 'status', '--json'], dir: ${JSON.stringify(root)}})
      .then(() => {
        const cache = loader[Symbol.for('@spec-kitty/plugin-tracker:code-cache')]();
        writeFileSync(${JSON.stringify(`${bundleFile}.cache`)}, Buffer.concat([Buffer.from(cache.id, 'latin1'), cache.create()]));
      });
  `;
  const home = path.join(sandbox, 'home');
  const run = spawnSync(process.execPath, ['-e', warmUp], {
    cwd: project,
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH,
      HOME: home,
      USERPROFILE: home,
      SPEC_KITTY_HOME: path.join(sandbox, 'spec-kitty-home'),
      XDG_CONFIG_HOME: path.join(home, '.config'),
      XDG_DATA_HOME: path.join(home, '.local', 'share'),
      XDG_CACHE_HOME: path.join(home, '.cache'),
      OCLIF_SKIP_NEW_VERSION_CHECK: 'true',
    },
  });
  if (run.status !== 0 || !JSON.parse(run.stdout).bound)
    throw new Error(
      `the bundled CLI failed its warm-up run (tracker status --json):\n${run.stderr}${run.stdout}`,
    );
} finally {
  rmSync(sandbox, {recursive: true, force: true});
}

const kB = (bytes) => `${Math.round(bytes / 1024)} kB`;
const cache = readFileSync(`${bundleFile}.cache`).length;
console.log(
  `bundled dist/cli/tracker-bundle.cjs (${kB(result.metafile.outputs[path.relative(root, bundleFile)].bytes)}, code cache ${kB(cache)})`,
);
