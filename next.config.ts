import type { NextConfig } from 'next';

const config: NextConfig = {
  // The store lives in the custom server (server.ts); these must never be bundled into routes.
  serverExternalPackages: ['better-sqlite3', '@prisma/adapter-better-sqlite3', '@prisma/client', 'pino'],
  poweredByHeader: false,
  // No page uses next/image. Its optimiser (/_next/image) would fetch any local URL it is given,
  // API routes included, inside the server and past the gate: off, it answers 404.
  images: { unoptimized: true },
  reactStrictMode: true,
};

export default config;
