// Writes one Prisma schema per supported provider from prisma/models.prisma.
// `--check` fails instead of writing when a generated schema is out of date.
import { readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const providers = ['sqlite', 'postgresql'];

export function schemaFor(provider) {
  const models = readFileSync(join(root, 'prisma/models.prisma'), 'utf8');
  return `// Generated from prisma/models.prisma by scripts/prisma-schemas.mjs. Do not edit.
generator client {
  provider     = "prisma-client"
  output       = "../../lib/db/generated/${provider}"
  moduleFormat = "esm"
}

datasource db {
  provider = "${provider}"
}

${models}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const check = process.argv.includes('--check');
  let stale = false;
  for (const provider of providers) {
    const file = join(root, 'prisma', provider, 'schema.prisma');
    const text = schemaFor(provider);
    const current = existsSync(file) ? readFileSync(file, 'utf8') : '';
    if (current === text) continue;
    if (check) {
      console.error(`${file} is out of date: run npm run prisma:schemas`);
      stale = true;
    } else {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, text);
      console.log(`wrote ${file}`);
    }
  }
  if (stale) process.exit(1);
}
