import { defineConfig, devices } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHROMIUM_ARGS, systemChromium } from './scripts/chromium.mjs';
import { ADMIN_STATE, E2E_ADMIN_PASSWORD, E2E_SIGNING_KEY } from './e2e/signing';

const PORT = Number(process.env.E2E_PORT ?? 3917);
// A fresh store for every run, so the board starts empty and its numbers can be checked exactly.
const dbFile = process.env.E2E_DB ?? join(mkdtempSync(join(tmpdir(), 'wallboard-e2e-')), 'calls.db');
process.env.E2E_DB = dbFile;

export default defineConfig({
  testDir: 'e2e',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  timeout: 60_000,
  expect: { timeout: 10_000 },
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    acceptDownloads: true,
    trace: 'retain-on-failure',
    ...devices['Desktop Chrome'],
    viewport: { width: 1920, height: 1080 },
    launchOptions: {
      executablePath: systemChromium(),
      args: CHROMIUM_ARGS,
    },
  },
  projects: [
    // Signs in through the real login page once; the board specs reuse that session.
    { name: 'sign-in', testMatch: /sign-in\.setup\.ts/ },
    { name: 'chromium', dependencies: ['sign-in'], use: { storageState: ADMIN_STATE } },
  ],
  webServer: {
    command: 'node --import tsx server.ts',
    url: `http://127.0.0.1:${PORT}/api/health`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'ignore',
    stderr: 'pipe',
    env: {
      NODE_ENV: 'production',
      NEXT_TELEMETRY_DISABLED: '1',
      HOST: '127.0.0.1',
      PORT: String(PORT),
      DATABASE_URL: `file:${dbFile}`,
      LOG_LEVEL: 'warn',
      SIGNALWIRE_SIGNING_KEY: E2E_SIGNING_KEY,
      ADMIN_PASSWORD: E2E_ADMIN_PASSWORD,
    },
  },
});
