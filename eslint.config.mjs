// @ts-check
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const coreMessage =
  'src/core is pure domain code: do I/O, locking, git and CLI work in the host layer and inject it.';

export default tseslint.config(
  {
    ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'oclif.manifest.json', 'bench/.out/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,mts,js,mjs}'],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: 'module',
      globals: {...globals.node},
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        {argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_'},
      ],
    },
  },
  {
    // bin/package.json makes these CommonJS (see bin/run.js).
    files: ['**/*.cjs', 'bin/*.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {...globals.node},
    },
    rules: {
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  {
    files: ['test/**/*.ts'],
    languageOptions: {globals: {...globals.mocha}},
  },
  {
    // Architecture boundary (dependency-cruiser enforces the same on the resolved graph).
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            'fs',
            'node:fs',
            'fs/promises',
            'node:fs/promises',
            'child_process',
            'node:child_process',
            'proper-lockfile',
            'simple-git',
            'ndjson',
            'write-file-atomic',
          ].map((name) => ({name, message: coreMessage})),
          patterns: [
            {group: ['@oclif/*'], message: coreMessage},
            {group: ['**/host/**', '**/commands/**'], message: coreMessage},
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        {name: 'process', message: 'Do not read process in src/core: inject a clock / env.'},
      ],
      'no-restricted-properties': [
        'error',
        {object: 'Date', property: 'now', message: 'Do not call Date.now in src/core: inject a clock / env.'},
      ],
    },
  },
  prettier,
);
