/**
 * The first steps of the README's walks on what `npm start` serves: open the pane, sign in as the admin through
 * MSAL's popup at the lab's login page, and open Admin settings › Email Configuration.
 */
import type { BrowserContext, Page } from "playwright-core";

export async function signInToEmailConfiguration(
  context: BrowserContext,
  page: Page,
  paneUrl: string,
  account: { email: string; password: string },
  /** Watches the popup as the page is watched (failed requests, console errors). */
  watch: (popup: Page) => Page,
): Promise<void> {
  await page.goto(paneUrl, { timeout: 90_000 });
  await page.getByRole("heading", { level: 1, name: "Sync Sidebar" }).waitFor({ timeout: 60_000 });
  const [popup] = await Promise.all([
    context.waitForEvent("page", { timeout: 30_000 }),
    page.getByTestId("mailbox-card").getByRole("button", { name: "Sign in" }).click(),
  ]);
  watch(popup);
  await popup.waitForSelector("#password", { timeout: 30_000 });
  await popup.fill("#email", account.email);
  await popup.fill("#password", account.password);
  await popup.click("button[type=submit]");
  await popup.waitForEvent("close", { timeout: 30_000 }).catch(() => undefined);
  await page.getByRole("button", { name: "Admin settings" }).click({ timeout: 30_000 });
  await page.getByRole("tab", { name: "Email Configuration" }).click({ timeout: 30_000 });
}
