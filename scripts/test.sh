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
step "production build"
npx next build
reports=$(mktemp -d)
step "unit and integration tests (real SQLite, real server, real socket.io)"
npx vitest run --reporter=default --reporter=json --outputFile.json="$reports/vitest.json"
step "browser"
node scripts/chromium.mjs --ensure
step "end-to-end tests in Chromium"
PLAYWRIGHT_JSON_OUTPUT_NAME="$reports/playwright.json" npx playwright test --reporter=list,json
step "summary"
node scripts/test-summary.mjs "$reports/vitest.json" "$reports/playwright.json"
