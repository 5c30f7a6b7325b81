// Generates the Prisma client of every provider, offline: `prisma generate` never runs the native
// schema engine, so it is pointed at a stub instead of being downloaded.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join, dirname } from 'node:path';
import { providers } from './prisma-schemas.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
for (const provider of providers) {
  execFileSync('npx', ['prisma', 'generate', '--schema', `prisma/${provider}/schema.prisma`], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: join(root, 'scripts/no-schema-engine.sh') },
  });
}
