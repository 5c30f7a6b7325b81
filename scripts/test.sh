#!/usr/bin/env bash
# Every check and test, in the order that fails fastest. `npm test` runs this; so does CI.
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1

step() { printf '\n== %s\n' "$*"; }

step "generated Prisma schemas match prisma/models.prisma"
node scripts/prisma-schemas.mjs --check
step "format"
npx prettier --check .
step "lint"
npx eslint .
step "typecheck"
npx tsc --noEmit -p .
step "no import cycles (type imports included)"
npx madge --circular --extensions ts,tsx --ts-config tsconfig.json --exclude 'lib/db/generated' \
  app components lib scripts server.ts
step "production build"
npx next build
reports=$(mktemp -d)
step "services for the integration tests"
bash scripts/services.sh
step "unit and integration tests on SQLite (real files, real servers, real socket.io)"
TEST_DB=sqlite npx vitest run --reporter=default --reporter=json --outputFile.json="$reports/vitest-sqlite.json"
step "integration tests on PostgreSQL (a database per run; two instances with both fan-outs)"
TEST_DB=postgresql npx vitest run test/integration --reporter=default --reporter=json \
  --outputFile.json="$reports/vitest-postgresql.json"
step "browser"
node scripts/chromium.mjs --ensure
step "end-to-end tests in Chromium"
PLAYWRIGHT_JSON_OUTPUT_NAME="$reports/playwright.json" npx playwright test --reporter=list,json
step "summary"
node scripts/test-summary.mjs "$reports"/vitest-sqlite.json "$reports"/vitest-postgresql.json "$reports"/playwright.json
