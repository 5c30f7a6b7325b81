import { defineConfig, globalIgnores } from 'eslint/config';
import nextVitals from 'eslint-config-next/core-web-vitals';
import nextTs from 'eslint-config-next/typescript';

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
    // own globals only where a caller passes them in (as lib/realtime/board-sync.ts takes them).
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
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
]);
