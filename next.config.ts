import type { NextConfig } from 'next';

const config: NextConfig = {
  // The store lives in the custom server (server.ts); these must never be bundled into routes.
  serverExternalPackages: ['better-sqlite3', '@prisma/adapter-better-sqlite3', '@prisma/client', 'pino'],
  poweredByHeader: false,
  reactStrictMode: true,
};

export default config;
