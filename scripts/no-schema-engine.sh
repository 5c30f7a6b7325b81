#!/bin/sh
# Stand-in for Prisma's native schema engine, which cannot be downloaded here.
# `prisma generate` never runs it; migrations run through the WebAssembly engine (lib/db/migrate.ts).
echo "The native Prisma schema engine is not used by this project: run npm run migrate instead." >&2
exit 1
