import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Quiet, sandbox-free headless Chromium that makes no background calls home. */
export const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export interface BrowserSession {
  context: BrowserContext;
  /** Requests the pages tried to send off this machine (all are aborted). */
  blockedRequests: string[];
  newPage(viewport: { width: number; height: number }): Promise<Page>;
  close(): Promise<void>;
}

const LOOPBACK = /^(https?|wss?):\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?\//;

/** Debian's Chromium driven by playwright-core, with a fresh profile and every non-loopback request aborted. */
export async function launchChromium(): Promise<BrowserSession> {
  const userDataDir = mkdtempSync(path.join(os.tmpdir(), "sync-sidebar-chromium-"));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: { width: 800, height: 900 },
  });
  const blockedRequests: string[] = [];
  await context.route(
    (url) => !LOOPBACK.test(url.href) && url.protocol !== "data:" && url.protocol !== "blob:",
    async (route) => {
      blockedRequests.push(route.request().url());
      await route.abort("blockedbyclient");
    },
  );
  return {
    context,
    blockedRequests,
    async newPage(viewport) {
      const page = await context.newPage();
      await page.setViewportSize(viewport);
      return page;
    },
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}
