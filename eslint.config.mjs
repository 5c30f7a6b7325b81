import { builtinModules } from 'node:module';
import { defineConfig, globalIgnores } from 'eslint/config';
import nextVitals from 'eslint-config-next/core-web-vitals';
import nextTs from 'eslint-config-next/typescript';

// What only the server can load: Node's own modules (with or without `node:`), the store's
// drivers, the logger, the server side of socket.io and its adapters, the auth library.
const SERVER_ONLY = [
  ...builtinModules,
  'pg',
  'better-sqlite3',
  'pino',
  'socket.io',
  'redis',
  'better-auth',
  'rate-limiter-flexible',
];

export default defineConfig([
  ...nextVitals,
  ...nextTs,
  globalIgnores([
    '.next/**',
    'node_modules/**',
    'lib/db/generated/**',
    'next-env.d.ts',
    'test-results/**',
    'playwright-report/**',
    'scratch/**',
  ]),
  {
    // The domain is shared by the server, the browser and the tests: no React, and the browser's
    // own globals only where a caller passes them in (as lib/common/board-sync.ts takes them).
    files: ['lib/**/*.ts'],
    rules: {
      'no-restricted-globals': [
        'error',
        'window',
        'document',
        'location',
        'navigator',
        'sessionStorage',
        'localStorage',
        'requestAnimationFrame',
        'cancelAnimationFrame',
      ],
      'no-restricted-imports': [
        'error',
        { paths: ['react', 'react-dom'], patterns: ['@/components/*', '**/components/*'] },
      ],
    },
  },
  {
    // Shared code runs in the browser as well as on the server: it imports only itself and
    // packages that run in both, never the store, Node's own modules or server code.
    files: ['lib/common/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['react', 'react-dom', ...SERVER_ONLY],
          patterns: [
            {
              regex: '(^|/)\\.\\./|^@/(?!lib/common/)|^node:|^@prisma/|^@socket\\.io/',
              message:
                'lib/common runs in the browser too: it may import only lib/common and browser-safe packages.',
            },
          ],
        },
      ],
    },
  },
  {
    // Components run in the browser: from lib/ they take only the shared code. Server code (the
    // store, auth, config) reaches them as props from the pages in app/.
    files: ['components/**/*.ts', 'components/**/*.tsx'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: SERVER_ONLY,
          patterns: [
            {
              regex: '^@/lib/(?!common/)|^(\\.\\./)+lib/(?!common/)|^node:|^@prisma/|^@socket\\.io/',
              message: 'components run in the browser: from lib/ they may import only lib/common.',
            },
          ],
        },
      ],
    },
  },
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
]);
