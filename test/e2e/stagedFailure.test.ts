/**
 * The README's "stage a failure" path, walked on what `npm start` serves: the admin saves the demo's configuration,
 * changes the service account's password through the lab's front page, runs a check that stops because the account
 * is refused, and finds the alert mail (sent to herself, the bootstrap admin) in the lab's mail catcher; the Health
 * tab marks that run with its reason. Screenshots: test-results/staged-*.
 */
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runNpmStart, type RunningStart } from "./support/npmStart";
import { signInToEmailConfiguration } from "./support/adminWalk";
import { watchProblems } from "./support/pageProblems";
import { saveScreenshot } from "./support/screenshots";
import {
  DEMO_ADMIN,
  DEMO_PASSWORD,
  DEMO_SERVICE_ACCOUNT,
  DEMO_SERVICE_PASSWORD,
  launchStackBrowser,
} from "./support/stack";

let start: RunningStart;
let browser: Awaited<ReturnType<typeof launchStackBrowser>>;
let admin: BrowserContext;
let page: Page;
const problems: string[] = [];

const watch = (target: Page): Page => watchProblems(target, problems);

/** At 320 px (the sidebar) and 1200 px (full window): no sideways scrolling, and a screenshot of each. */
async function shoot(target: Page, name: string): Promise<void> {
  for (const width of [320, 1200]) {
    await target.setViewportSize({ width, height: 900 });
    await target.waitForTimeout(300);
    const overflow = await target.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, `${name} at ${width} px scrolls sideways by ${overflow} px`).toBeLessThanOrEqual(0);
    await saveScreenshot(target, `staged-${name}-${width}`);
  }
  await target.setViewportSize({ width: 1200, height: 900 });
}

beforeAll(async () => {
  start = await runNpmStart();
  browser = await launchStackBrowser();
  admin = await browser.newContext();
  page = watch(await admin.newPage());
  await page.setViewportSize({ width: 1200, height: 900 });
});

afterAll(async () => {
  await browser?.close();
  await start?.stop();
});

describe("staging a refused service account on what npm start serves", () => {
  it("signs the admin in and saves the demo's Exchange Impersonation configuration", async () => {
    await signInToEmailConfiguration(admin, page, start.paneUrl, { email: DEMO_ADMIN, password: DEMO_PASSWORD }, watch);
    await page.getByRole("combobox", { name: /Mailbox Access Type/ }).selectOption("ews_basic_impersonation");
    await page.getByLabel(/Account Logon/).fill(DEMO_SERVICE_ACCOUNT);
    await page.getByLabel(/^Password/).fill(DEMO_SERVICE_PASSWORD);
    await page.getByRole("button", { name: /Find EWS URL/ }).click();
    await page.getByTestId("discovery-steps").waitFor({ timeout: 30_000 });
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await page.getByText("The email configuration was saved.").waitFor();
  });

  it("changes the service account's password through the lab's front page, which confirms it", async () => {
    const lab = watch(await admin.newPage());
    await lab.goto(start.labOrigin);
    const form = lab.locator("form", { has: lab.getByRole("button", { name: "Change password" }) });
    await form.getByLabel("Account").selectOption(DEMO_SERVICE_ACCOUNT);
    await form.getByLabel("New password").fill("Changed-Elsewhere-1!");
    await form.getByRole("button", { name: "Change password" }).click();
    await expect(lab.getByRole("status").innerText()).resolves.toBe(`Done: ${DEMO_SERVICE_ACCOUNT}: password changed.`);
    await lab.close();
  });

  it("runs a check that stops because the account is refused, and the alert mail reaches the lab's catcher", async () => {
    await page.getByRole("button", { name: "Check Users Exchange Impersonated Access" }).click();
    await page.getByText("Check stopped: the service account was refused.").waitFor({ timeout: 120_000 });

    const lab = watch(await admin.newPage());
    const mail = lab.getByRole("table", { name: /^Received mail/ });
    const deadline = Date.now() + 30_000;
    for (;;) {
      await lab.goto(start.labOrigin);
      if ((await mail.count()) > 0) break;
      expect(Date.now(), "the alert mail arrived in the lab's catcher within 30 s").toBeLessThan(deadline);
      await lab.waitForTimeout(1_000);
    }
    const [newest] = await mail
      .getByRole("row")
      .all()
      .then((rows) => rows.slice(1));
    const text = await newest!.innerText();
    expect(text).toContain(DEMO_ADMIN);
    expect(text).toContain("[Sync Sidebar] Alert: Contoso (Exchange lab)");
    expect(text).toContain("Alert: Service account or app refused");
    expect(text).toContain(`${start.paneUrl}#/admin/health`);
    await shoot(lab, "lab-mail");
    await lab.close();
  });

  it("marks that run in the Health tab with its reason, and the summary speaks of it", async () => {
    await page.getByRole("tab", { name: "Health" }).click();
    await page
      .getByText(/Latest run stopped: the service account was refused/)
      .first()
      .waitFor({ timeout: 30_000 });
    await expect(page.getByText(/Latest run: 0 connected/).count()).resolves.toBe(0);
    await page.getByRole("button", { name: "Show table of figures" }).click();
    const table = page.getByRole("table", { name: "Users per check run, newest first" });
    // The newest run's row, then its stop reason across the table's width.
    await expect(table.getByTestId("run-stopped").first().innerText()).resolves.toMatch(
      /^Stopped: the service account was refused \(\d+ not checked\)/,
    );
    // On-premises EWS: nothing settles, so the alert was not held; the line says where alerts go.
    await expect(page.getByTestId("alerts-held").count()).resolves.toBe(0);
    await expect(page.getByTestId("alerts-line").innerText()).resolves.toBe(`Alerts go to email to ${DEMO_ADMIN}.`);
    await page.mouse.move(0, 0);
    await shoot(page, "health");
  });

  it("met no failed request, console error or uncaught exception on the way", async () => {
    await admin?.close();
    expect(problems).toEqual([]);
  });
});
