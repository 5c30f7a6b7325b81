// The registry mirror these machines use lacks other platforms' builds of some optional
// packages (Next.js SWC, unrs-resolver, ...), so npm leaves them out of package-lock.json and
// `npm ci` then calls the lockfile out of sync. This records each missing optional dependency as
// an optional entry at its pinned version: npm ci accepts the lockfile and, on a platform that
// needs one of them, fetches it from the registry by name and version.
// Run after changing dependencies: node scripts/lockfile-optional.mjs
import { readFileSync, writeFileSync } from 'node:fs';

const file = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(file, 'utf8'));
const added = [];
for (const [path, entry] of Object.entries(lock.packages)) {
  for (const [name, spec] of Object.entries(entry.optionalDependencies ?? {})) {
    const base = path ? `${path}/node_modules/` : 'node_modules/';
    if (lock.packages[`${base}${name}`] || lock.packages[`node_modules/${name}`]) continue;
    if (!/^\d+\.\d+\.\d+(-[\w.]+)?$/.test(spec)) continue;
    lock.packages[`node_modules/${name}`] = {
      version: spec,
      optional: true,
      ...(entry.dev ? { dev: true } : {}),
    };
    added.push(`${name}@${spec}`);
  }
}
lock.packages = Object.fromEntries(
  Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))),
);
writeFileSync(file, JSON.stringify(lock, null, 2) + '\n');
console.log(
  added.length ? `recorded ${added.length} optional packages: ${added.join(', ')}` : 'nothing to record',
);
