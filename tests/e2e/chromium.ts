/**
 * How the browser tests (playwright.config.ts) and scripts/dev-memory.ts start
 * Chromium: Debian's /usr/bin/chromium unless CHROMIUM_PATH names another, with
 * the flags this machine's closed network needs (no background connections).
 */
export const chromiumLaunchOptions = {
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
  ],
};
