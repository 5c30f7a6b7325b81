// Prints one closing line for the whole run from the vitest and Playwright JSON reports.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

let passed = 0;
let failed = 0;
let skipped = 0;
for (const file of process.argv.slice(2)) {
  const r = JSON.parse(readFileSync(file, 'utf8'));
  const [p, f, s] = r.stats
    ? [r.stats.expected ?? 0, (r.stats.unexpected ?? 0) + (r.stats.flaky ?? 0), r.stats.skipped ?? 0]
    : [r.numPassedTests, r.numFailedTests, r.numPendingTests + (r.numTodoTests ?? 0)];
  console.log(`${basename(file, '.json')}: ${p} passed, ${f} failed, ${s} skipped`);
  passed += p;
  failed += f;
  skipped += s;
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
