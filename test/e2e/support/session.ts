/**
 * One browser page on the whole stack, as the admin and health tests use it: the built pane, the stack (lab,
 * backend, HTTPS origin), Chromium with one context and page at a viewport, the page's uncaught errors collected;
 * and the lab's sign-in as MSAL's popup shows it.
 */
import type { BrowserContext, Page } from "playwright-core";
import type { BuiltPane } from "./builtPane.js";
import { buildPaneForTests, launchStackBrowser, startStack, type Stack, type StackOptions } from "./stack.js";

export interface StackPage {
  stack: Stack;
  context: BrowserContext;
  page: Page;
  /** Uncaught errors of the page so far (a test expects none). */
  pageErrors: string[];
  close(): Promise<void>;
}

export async function openStackPage(
  viewport: { width: number; height: number },
  options: StackOptions = {},
): Promise<StackPage> {
  const pane: BuiltPane = buildPaneForTests();
  const closers: Array<() => unknown> = [() => pane.remove()];
  const close = async (): Promise<void> => {
    for (const closer of closers.reverse()) await closer();
  };
  try {
    const stack = await startStack(pane, options);
    closers.push(() => stack.close());
    const browser = await launchStackBrowser();
    closers.push(() => browser.close());
    const context = await browser.newContext();
    closers.push(() => context.close());
    const page = await context.newPage();
    await page.setViewportSize(viewport);
    const pageErrors: string[] = [];
    page.on("pageerror", (error) => pageErrors.push(error.message));
    return { stack, context, page, pageErrors, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * Signs in at the lab's login page in the popup that `trigger` makes MSAL open; `email` null when the lab already
 * knows who signs in (a hint). Resolves once the popup has closed (or was seen to stay, for the caller to judge).
 */
export async function signInThroughPopup(
  context: BrowserContext,
  trigger: () => Promise<void>,
  email: string | null,
  password: string,
): Promise<void> {
  const [popup] = await Promise.all([context.waitForEvent("page", { timeout: 20_000 }), trigger()]);
  await popup.waitForSelector("#password", { timeout: 20_000 });
  if (email !== null) await popup.fill("#email", email);
  await popup.fill("#password", password);
  await popup.click("button[type=submit]");
  await popup.waitForEvent("close", { timeout: 20_000 }).catch(() => undefined);
}

/** The admin signs in from the pane's Sign in button; resolves once the admin sections are shown. */
export async function signInAsAdmin(session: Pick<StackPage, "context" | "page">, email: string, password: string) {
  const { context, page } = session;
  await signInThroughPopup(context, () => page.getByRole("button", { name: "Sign in" }).click(), email, password);
  await page.getByRole("tablist", { name: "Admin sections" }).waitFor({ timeout: 20_000 });
}
