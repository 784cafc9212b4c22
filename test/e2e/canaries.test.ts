/**
 * Canaries on what `npm start` serves: the demo organization starts with the lab's canary (sync-canary@contoso.lab,
 * seeded by BOOTSTRAP_CANARIES), which Email Configuration lists. The admin saves the demo's Exchange Impersonation
 * configuration with svc-nomailbox@, the lab's account that may impersonate every mailbox (no management scope), runs
 * a check, and the canary is readable: the run shows the scope leak with its cause, and the signed attestation lists
 * it. Screenshots: test-results/canaries-*.
 */
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CATEGORY_LABELS } from "../../src/contract/labels";
import { seriousAxeViolations } from "./support/axe";
import { runNpmStart, type RunningStart } from "./support/npmStart";
import { signInToEmailConfiguration } from "./support/adminWalk";
import { watchProblems } from "./support/pageProblems";
import { saveScreenshot } from "./support/screenshots";
import { DEMO_ADMIN, DEMO_PASSWORD, launchStackBrowser } from "./support/stack";

/** The demo lab's service account whose ApplicationImpersonation has no scope (src/lab/scenarios/demo.json). */
const UNSCOPED_ACCOUNT = "svc-nomailbox@contoso.lab";
const UNSCOPED_PASSWORD = "Sync-Lab-2026!";
const CANARY = "sync-canary@contoso.lab";

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
    await saveScreenshot(page, `canaries-${name}-${width}`);
  }
  await page.setViewportSize({ width: 1200, height: 900 });
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

describe("scope-leak canaries on what npm start serves", () => {
  it("lists the demo's canary in Email Configuration, with what a canary is", async () => {
    await signInToEmailConfiguration(admin, page, start.paneUrl, { email: DEMO_ADMIN, password: DEMO_PASSWORD }, watch);

    const section = page.getByRole("region", { name: "Canaries" });
    const list = section.getByRole("list", { name: "Canaries" });
    await list.waitFor({ timeout: 30_000 });
    await expect(list.getByRole("listitem").allInnerTexts()).resolves.toEqual([expect.stringContaining(CANARY)]);
    await expect(section.innerText()).resolves.toContain("expects to be refused");
    // The lab's canary is the dedicated one: it is no longer suggested.
    await expect(section.getByRole("list", { name: "Suggested canaries" }).count()).resolves.toBe(0);
    await shoot("email-config", () => section.scrollIntoViewIfNeeded());
  });

  it("saves the configuration of the account that may impersonate every mailbox", async () => {
    await page.getByRole("combobox", { name: /Mailbox Access Type/ }).selectOption("ews_basic_impersonation");
    await page.getByLabel(/Account Logon/).fill(UNSCOPED_ACCOUNT);
    await page.getByLabel(/^Password/).fill(UNSCOPED_PASSWORD);
    await page.getByRole("button", { name: /Find EWS URL/ }).click();
    await page.getByTestId("discovery-steps").waitFor({ timeout: 30_000 });
    await expect(page.getByLabel(/EWS URL/).inputValue()).resolves.toMatch(/^https:\/\/.+\/EWS\/Exchange\.asmx$/i);
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await page.getByText("The email configuration was saved.").waitFor();
  });

  it("runs a check whose canary is readable: the scope leak stands out with its cause and remedy", async () => {
    await page.getByRole("button", { name: "Check Users Exchange Impersonated Access" }).click();
    await page.getByText("Check finished.").waitFor({ timeout: 180_000 });

    const verdicts = page.getByRole("region", { name: "Canaries in this run" });
    const leak = verdicts.getByTestId("canary-leak");
    await leak.waitFor({ timeout: 30_000 });
    const text = await leak.innerText();
    expect(text).toContain(`${CANARY} is readable`);
    expect(text).toContain(CATEGORY_LABELS.scope_leak);
    expect(text).toContain("Readable: mail and calendar.");
    expect(text).toContain("Likely cause: ApplicationImpersonation without a scope");
    expect(text).toContain(`What to do: Scope the assignment`);
    expect(text).toContain(UNSCOPED_ACCOUNT);
    // A canary is never one of the organization's users: the results list it nowhere.
    await expect(page.getByTestId("results-list").getByText(CANARY).count()).resolves.toBe(0);
    await shoot("scope-leak", () => verdicts.scrollIntoViewIfNeeded());
  });

  it("lists the canary's verdict in the signed attestation of that run", async () => {
    await page.getByRole("button", { name: "Signed attestation" }).click();
    try {
      const canaries = page.getByTestId("attested-canaries");
      await canaries.waitFor({ timeout: 30_000 });
      const [row, ...others] = await canaries.getByRole("listitem").allInnerTexts();
      expect(others).toEqual([]);
      expect(row).toContain(CATEGORY_LABELS.scope_leak);
      expect(row).toContain(`${CANARY}: Its mail and calendar could be read`);
      expect(row).toContain("Likely cause: ApplicationImpersonation without a scope");
      await shoot("attestation", () => canaries.scrollIntoViewIfNeeded());
    } finally {
      await page.getByRole("button", { name: "Close" }).click();
    }
  });

  it("met no failed request, console error or uncaught exception on the way", async () => {
    await admin?.close();
    expect(problems).toEqual([]);
  });
});
