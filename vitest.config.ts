import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

export default defineConfig({
  resolve: { alias: { '@': fileURLToPath(new URL('.', import.meta.url)) } },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // Integration tests start real servers: one file at a time keeps a 2-core machine honest.
    fileParallelism: false,
    // Several tests start (and kill, and restart) their own production servers: on 2 busy cores one
    // start can take 10-30 s, so a test's budget allows a few.
    testTimeout: 90_000,
    hookTimeout: 90_000,
  },
});
