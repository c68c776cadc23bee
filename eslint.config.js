// @ts-check
import { readFileSync } from 'node:fs';
import js from '@eslint/js';
import globals from 'globals';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import tseslint from 'typescript-eslint';

/**
 * The module boundaries (docs/decisions/008): modules are ordered (api/module-layers.json), a module imports only
 * the modules before it and only through their index.ts, shared/ imports no module, and only the composition root
 * (app, server, db, cli, main, config) and the workflows sit above every module. Nothing may form a cycle.
 */
const { modules } = JSON.parse(readFileSync(new URL('./api/module-layers.json', import.meta.url), 'utf8'));
const src = './api/src';
const ROOT_PARTS = ['app', 'server', 'db', 'cli', 'main.ts', 'cli.ts', 'config.ts'];

/** @typedef {{ target: string | string[]; from: string; except?: string[]; message: string }} Zone */

/** Everything outside a module sees only its index.ts (tests included). */
/** @type {Zone[]} */
const indexOnly = modules.map((name) => ({
  target: [
    ...modules.filter((other) => other !== name).map((other) => `${src}/modules/${other}`),
    `${src}/workflows`,
    ...ROOT_PARTS.map((part) => `${src}/${part}`),
    './test',
    './bench',
  ],
  from: `${src}/modules/${name}`,
  except: ['./index.ts'],
  message: `Import "${name}" through its index.ts, its public surface.`,
}));

/** The layering, for product code (tests may use the composition root to set up what they check). */
/** @type {Zone[]} */
const layers = [
  { target: `${src}/shared`, from: `${src}/modules`, message: 'shared/ is the bottom layer: it may not depend on any module.' },
  ...['workflows', ...ROOT_PARTS].map((part) => ({
    target: [`${src}/shared`, `${src}/modules`],
    from: `${src}/${part}`,
    message: `Only the composition root may use ${part}: modules and shared/ receive what they need through the context.`,
  })),
  ...ROOT_PARTS.map((part) => ({
    target: `${src}/workflows`,
    from: `${src}/${part}`,
    message: `Workflows sit below the composition root (${part}).`,
  })),
  ...modules.flatMap((name, rank) =>
    modules.slice(rank + 1).map((later) => ({
      target: `${src}/modules/${name}`,
      from: `${src}/modules/${later}`,
      message: `"${name}" may not import "${later}": it comes later in api/module-layers.json (emit an event, or compose them in a workflow).`,
    })),
  ),
];

const TESTS = ['**/*.test.ts', 'test/**/*.ts'];

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/build/**',
      '**/.react-router/**',
      '.tierdesk/**',
      'schema/src/generated.ts',
      'coverage/**',
      'test-results/**',
      'portal/.build-*/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx,js,mjs}'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [
        createTypeScriptImportResolver({
          project: ['api/tsconfig.json', 'portal/tsconfig.json', 'schema/tsconfig.json'],
          noWarnOnMultipleProjects: true,
        }),
      ],
    },
    languageOptions: { globals: { ...globals.node } },
    rules: {
      'import-x/no-restricted-paths': ['error', { zones: [...indexOnly, ...layers] }],
      'import-x/no-duplicates': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // Decorated entity and GraphQL classes declare their fields for the ORM and the schema.
      '@typescript-eslint/no-empty-object-type': ['error', { allowInterfaces: 'with-single-extends' }],
    },
  },
  {
    files: ['api/src/**/*.ts'],
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
  {
    files: TESTS,
    rules: {
      'import-x/no-restricted-paths': ['error', { zones: indexOnly }],
      // GraphQL responses are read as loosely typed JSON in tests.
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  { files: ['portal/**/*.{ts,tsx}'], languageOptions: { globals: { ...globals.browser, ...globals.node } } },
);
