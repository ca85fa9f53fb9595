// The browser tests' Chromium: Debian's chromium (.ci/run installs it with apt where it can), driven
// by playwright-core, headless and kept off the network (no background requests, no first-run fetches).
import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--no-first-run',
];
const playwright = await import('playwright-core').catch(() => undefined);

/** Why the browser tests cannot run here (printed once as a SKIP line), or undefined when they can. */
export function browserMissing(what: string): string | undefined {
  const missing = !existsSync(CHROMIUM)
    ? `no browser at ${CHROMIUM} (apt-get install chromium; .ci/run does it where apt can)`
    : !playwright
      ? 'playwright-core is not installed (npm install)'
      : undefined;
  if (missing) console.log(`# ${what} browser test skipped: ${missing}`);
  return missing;
}

export function launchBrowser(): Promise<Browser> {
  return playwright!.chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
}
