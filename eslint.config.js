// Lint rules. The one that matters most: src/core is the functional core and imports nothing
// from the shell (store, security, carriers, delivery, campaigns, api, cli) and no I/O module.
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

const IO_MODULES = [
  'fs',
  'fs/promises',
  'net',
  'http',
  'https',
  'http2',
  'dgram',
  'dns',
  'child_process',
  'cluster',
  'worker_threads',
  'tls',
  'readline',
  'process',
];

export const coreImportRule = {
  'no-restricted-imports': [
    'error',
    {
      paths: IO_MODULES.flatMap((name) => [
        { name, message: 'src/core is pure: no I/O modules.' },
        { name: `node:${name}`, message: 'src/core is pure: no I/O modules.' },
      ]).concat(
        ['kysely', 'pg', 'better-sqlite3', 'fastify', 'pino', 'commander'].map((name) => ({
          name,
          message: 'src/core is pure: no database, HTTP, logging or CLI libraries.',
        })),
      ),
      patterns: [
        {
          group: ['**/store/**', '**/security/**', '**/carriers/**', '**/delivery/**'],
          message: 'src/core must not import from the shell.',
        },
        {
          group: ['**/campaigns/**', '**/api/**', '**/cli/**', '**/config*'],
          message: 'src/core must not import from the shell.',
        },
      ],
    },
  ],
  'no-restricted-globals': [
    'error',
    { name: 'process', message: 'src/core is pure: pass configuration in.' },
    { name: 'fetch', message: 'src/core is pure: no I/O.' },
  ],
  'no-restricted-properties': [
    'error',
    { object: 'Date', property: 'now', message: 'src/core is pure: time is a parameter.' },
    { object: 'Math', property: 'random', message: 'src/core is pure: randomness is a parameter.' },
  ],
};

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'data/**', 'web/dist/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/config.ts', 'src/cli/**'],
    rules: {
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message: 'Read configuration once in src/config.ts.',
        },
      ],
    },
  },
  { files: ['src/core/**/*.ts'], rules: coreImportRule },
  // The console runs in the browser: its hooks follow React's rules.
  {
    files: ['web/src/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'warn',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
      },
    },
  },
);
