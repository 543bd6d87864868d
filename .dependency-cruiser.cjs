'use strict';

// Architecture rules, checked by `npm run lint` (depcruise src test/fakes) and by test/architecture.test.ts.
// src/core is the pure domain: no file system, processes, network, locking, git or oclif.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'core-no-fs',
      severity: 'error',
      comment:
        'src/core must not touch the file system, processes or the network (node:fs is reported as fs).',
      from: {path: '^src/core'},
      to: {
        dependencyTypes: ['core'],
        path: '^(node:)?(fs|fs/promises|child_process|net|http|https|worker_threads)$',
      },
    },
    {
      name: 'core-no-host-libs',
      severity: 'error',
      comment: 'src/core must not use host-side libraries (locking, git, JSONL, atomic writes, oclif).',
      from: {path: '^src/core'},
      to: {path: '(^|/)node_modules/(proper-lockfile|simple-git|ndjson|write-file-atomic|@oclif)/'},
    },
    {
      name: 'core-no-host-modules',
      severity: 'error',
      comment: 'src/core must not import the host layer, commands or hooks.',
      from: {path: '^src/core'},
      to: {path: '^src/(host|commands|hooks)'},
    },
    {
      name: 'src-no-fakes',
      severity: 'error',
      comment: 'The fake trackers live under test/ and are not shipped: nothing in src may import them.',
      from: {path: '^src'},
      to: {path: '^test/'},
    },
    {
      name: 'host-no-cli',
      severity: 'error',
      comment:
        'Only commands use src/host/cli (the oclif base classes, output, error funnel). Services, config, ' +
        'storage and the rest sit below it: what they share with the CLI (UsageError, secret masking) ' +
        'lives in src/host/shared.',
      from: {path: '^src/host/', pathNot: '^src/host/cli/'},
      to: {path: '^src/host/cli/'},
    },
    {
      name: 'host-shared-at-bottom',
      severity: 'error',
      comment:
        'src/host/shared and src/host/fs are what every host layer may use, so they import no other ' +
        'host module (only each other and the core).',
      from: {path: '^src/host/(shared|fs)/'},
      to: {path: '^src/host/', pathNot: '^src/host/(shared|fs)/'},
    },
    {
      name: 'connectors-independent',
      severity: 'error',
      comment:
        'A connector never imports another connector: code two connectors share lives in ' +
        'src/core/connectors/shared (or local-cli, the subprocess helpers of beads and fp).',
      from: {path: '^src/core/connectors/([^/]+)/'},
      to: {
        path: '^src/core/connectors/[^/]+/',
        pathNot: ['^src/core/connectors/$1/', '^src/core/connectors/(shared|local-cli)/'],
      },
    },
    {
      name: 'domain-below-sync',
      severity: 'error',
      comment:
        'The model, the policy and the tracker log are the bottom of the core: they never import the ' +
        'sync engine, the connectors or the HTTP client built on them.',
      from: {path: '^src/core/(model|policy|log)/'},
      to: {path: '^src/core/(sync|connectors|http)/'},
    },
    {
      name: 'fakes-no-connectors',
      severity: 'error',
      comment:
        'A fake tracker stands for the vendor, not for our connector: sharing code with it would hide a bug in both. Fakes may use pure utilities (canonical JSON, ULID, clock), never src/core/connectors.',
      from: {path: '^test/fakes'},
      to: {path: '^src/core/connectors'},
    },
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Circular imports make load order fragile.',
      from: {},
      to: {circular: true},
    },
  ],
  options: {
    doNotFollow: {path: 'node_modules'},
    exclude: {path: '(^|/)(dist|coverage)/'},
    tsPreCompilationDeps: true,
    tsConfig: {fileName: 'tsconfig.json'},
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    reporterOptions: {
      text: {highlightFocused: true},
    },
  },
};
