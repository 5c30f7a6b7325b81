// Finds the Chromium the tests drive: $CHROMIUM_PATH, else one installed on the system, else
// none (Playwright's own download). `--ensure` installs one when there is none: Debian's package
// when running as root with apt, else Playwright's own build.
import { existsSync } from 'node:fs';
import { execSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/snap/bin/chromium'];

/** Flags that keep headless Chromium quiet on a closed network (and running as root). */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export function systemChromium() {
  const env = process.env.CHROMIUM_PATH;
  if (env) {
    if (!existsSync(env)) throw new Error(`CHROMIUM_PATH=${env} does not exist`);
    return env;
  }
  return CANDIDATES.find((p) => existsSync(p));
}

function playwrightChromiumInstalled() {
  try {
    const out = execSync('npx playwright install --dry-run chromium', { encoding: 'utf8' });
    const dir = /Install location:\s+(\S+)/.exec(out)?.[1];
    return Boolean(dir && existsSync(dir));
  } catch {
    return false;
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv.includes('--ensure')) {
  let found = systemChromium();
  if (found) {
    console.log(`chromium: using ${found}`);
  } else if (process.getuid?.() === 0 && existsSync('/usr/bin/apt-get')) {
    console.log("chromium: none found; installing Debian's chromium package");
    execSync('apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium', {
      stdio: 'inherit',
    });
    found = systemChromium();
    if (!found) throw new Error('apt-get installed chromium but no binary was found');
    console.log(`chromium: using ${found}`);
  } else if (playwrightChromiumInstalled()) {
    console.log("chromium: using Playwright's own build");
  } else {
    console.log("chromium: none found and not root; installing Playwright's own build");
    execSync('npx playwright install chromium', { stdio: 'inherit' });
  }
}
