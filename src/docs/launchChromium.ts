import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

/** Debian's chromium package; the project never downloads a browser of its own. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Flags for a quiet, offline, throwaway browser: no sandbox (root in CI), no GPU, no updates. */
export const CHROMIUM_FLAGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A running browser and the way to stop it (which also removes its profile). */
export interface Chromium {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/** Thrown when /usr/bin/chromium is missing; the message says how to install it. */
export class ChromiumMissingError extends Error {}

/** Start headless Chromium with a fresh profile directory (Playwright's `userDataDir`). */
export async function launchChromium(): Promise<Chromium> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new ChromiumMissingError(`${CHROMIUM_PATH} is missing: run \`bash scripts/setup-chromium.sh\` (installs Debian's chromium package)`);
  }
  const profile = mkdtempSync(join(tmpdir(), 'zabstate-chromium-'));
  try {
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: [...CHROMIUM_FLAGS],
      offline: true,
    });
    return {
      context,
      async close() {
        await context.close();
        rmSync(profile, { recursive: true, force: true });
      },
    };
  } catch (e) {
    rmSync(profile, { recursive: true, force: true });
    throw e;
  }
}
