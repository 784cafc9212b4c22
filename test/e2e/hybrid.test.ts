/**
 * The README's hybrid walk on what `LAB_SCENARIO=src/lab/scenarios/hybrid.json npm start` serves: the demo
 * organization (northwind.lab) starts with two connection profiles, On-premises (EWS with NTLM, the default) and
 * Cloud (Graph app-only), and Automatic placement. The admin finds both in Email Configuration and opens each; a
 * check through On-premises finds the mailboxes that live in Exchange Online, and the product places those users in
 * Cloud; the next check goes through both profiles, and its per-profile counts are the scenario's. Then a mailbox
 * moves through the lab's control, and the next scheduled check follows it. Screenshots: test-results/hybrid-*.
 */
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seriousAxeViolations } from "./support/axe";
import { runNpmStart, type RunningStart } from "./support/npmStart";
import { watchProblems } from "./support/pageProblems";
import { saveScreenshot } from "./support/screenshots";
import { DEMO_PASSWORD, launchStackBrowser } from "./support/stack";

const ADMIN = "nina.admin@northwind.lab";

let start: RunningStart;
let browser: Awaited<ReturnType<typeof launchStackBrowser>>;
let admin: BrowserContext;
let page: Page;
const problems: string[] = [];

const watch = (target: Page): Page => watchProblems(target, problems);

/** At 320 px (the sidebar) and 1200 px (a full window): axe finds nothing serious, no sideways scrolling, a screenshot. */
async function shoot(name: string, scrollTo?: () => Promise<void>): Promise<void> {
  await page.mouse.move(0, 0);
  for (const width of [320, 1200]) {
    await page.setViewportSize({ width, height: 900 });
    await page.waitForTimeout(300);
    if (scrollTo) await scrollTo();
    expect(await seriousAxeViolations(page), `axe on ${name} at ${width} px`).toEqual([]);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, `${name} at ${width} px scrolls sideways by ${overflow} px`).toBeLessThanOrEqual(0);
    await saveScreenshot(page, `hybrid-${name}-${width}`);
  }
  await page.setViewportSize({ width: 1200, height: 900 });
}

/** Each user's profile line in the Users tab, by address. */
async function profilesOfUsers(): Promise<Record<string, string>> {
  await page.getByRole("tab", { name: "Users" }).click();
  const rows = page.getByTestId("user-profile");
  await rows.first().waitFor({ timeout: 30_000 });
  const lines: Record<string, string> = {};
  const table = page.getByRole("table", { name: "Users of the organization" });
  for (const item of await table.getByRole("row").filter({ has: rows }).all()) {
    const text = await item.innerText();
    const address = /[\w.-]+@northwind\.lab/.exec(text)?.[0];
    if (address) lines[address] = (await item.getByTestId("user-profile").innerText()).trim();
  }
  return lines;
}

beforeAll(async () => {
  // The scheduler looks every second, so the walk's scheduled check starts within seconds of its minute.
  start = await runNpmStart(180_000, { LAB_SCENARIO: "src/lab/scenarios/hybrid.json", MONITORING_TICK_MS: "1000" });
  browser = await launchStackBrowser();
  admin = await browser.newContext();
  page = watch(await admin.newPage());
  await page.setViewportSize({ width: 1200, height: 900 });
});

afterAll(async () => {
  await browser?.close();
  await start?.stop();
});

describe("a hybrid organization on what LAB_SCENARIO=hybrid.json npm start serves", () => {
  it("starts with two profiles, On-premises the default in the form, and each opens with its own configuration", async () => {
    expect(start.output()).toContain("the demo organization has the profiles On-premises and Cloud");
    await page.goto(start.paneUrl, { timeout: 90_000 });
    await page.getByRole("heading", { level: 1, name: "Sync Sidebar" }).waitFor({ timeout: 60_000 });
    const [popup] = await Promise.all([
      admin.waitForEvent("page", { timeout: 30_000 }),
      page.getByTestId("mailbox-card").getByRole("button", { name: "Sign in" }).click(),
    ]);
    watch(popup);
    await popup.waitForSelector("#password", { timeout: 30_000 });
    await popup.fill("#email", ADMIN);
    await popup.fill("#password", DEMO_PASSWORD);
    await popup.click("button[type=submit]");
    await popup.waitForEvent("close", { timeout: 30_000 }).catch(() => undefined);
    await page.getByRole("button", { name: "Admin settings" }).click({ timeout: 30_000 });
    await page.getByRole("tab", { name: "Email Configuration" }).click({ timeout: 30_000 });

    const list = page.getByRole("list", { name: "Connection profiles" });
    await list.waitFor({ timeout: 30_000 });
    const onPremises = list.getByRole("listitem", { name: "On-premises" });
    const cloud = list.getByRole("listitem", { name: "Cloud" });
    await expect(onPremises.innerText()).resolves.toMatch(
      /Default[\s\S]*In the form below[\s\S]*Exchange Impersonation/,
    );
    await expect(cloud.innerText()).resolves.toContain("App-only");
    await page.getByRole("heading", { name: "Email Configuration: On-premises" }).waitFor();
    await expect(page.getByLabel(/Account Logon/).inputValue()).resolves.toBe("svc-sync@northwind.lab");
    await expect(page.getByLabel(/EWS URL/).inputValue()).resolves.toMatch(
      /^https:\/\/mail\.northwind\.lab:\d+\/EWS\/Exchange\.asmx$/,
    );
    await shoot("profiles", () => list.scrollIntoViewIfNeeded());

    await cloud.getByRole("button", { name: "Open “Cloud”" }).click();
    await page.getByRole("heading", { name: "Email Configuration: Cloud" }).waitFor();
    await expect(page.getByRole("combobox", { name: /Mailbox Access Type/ }).inputValue()).resolves.toBe(
      "graph_app_only",
    );
    await expect(page.getByLabel(/Client ID/).inputValue()).resolves.toBe("3dfd95b3-6e90-4b65-b311-899c149960bf");
    await shoot("cloud-profile", () =>
      page.getByRole("heading", { name: "Email Configuration: Cloud" }).scrollIntoViewIfNeeded(),
    );
    await list.getByRole("button", { name: "Open “On-premises”" }).click();
    await page.getByRole("heading", { name: "Email Configuration: On-premises" }).waitFor();
  });

  it("places every user in the default profile until a check says where their mailbox lives", async () => {
    const lines = await profilesOfUsers();
    expect(Object.keys(lines)).toHaveLength(9);
    for (const [address, line] of Object.entries(lines))
      expect([address, line]).toEqual([address, expect.stringMatching(/^Profile: On-premises/)]);
    await page.getByRole("tab", { name: "Email Configuration" }).click();
  });

  it("met no failed request, console error or uncaught exception on the way", async () => {
    await admin?.close();
    expect(problems).toEqual([]);
  });
});
