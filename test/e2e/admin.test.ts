import { readFile } from "node:fs/promises";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CATEGORY_LABELS } from "../../src/contract/labels";
import { seriousAxeViolations } from "./support/axe";
import { byLabel, expectedCategoryCounts } from "./support/demoExpectations";
import { saveScreenshot } from "./support/screenshots";
import { DEMO_ADMIN, DEMO_PASSWORD, DEMO_SERVICE_ACCOUNT, DEMO_SERVICE_PASSWORD, type Stack } from "./support/stack";
import { openStackPage, signInAsAdmin, signInThroughPopup, type StackPage } from "./support/session";

let session: StackPage;
let stack: Stack;
let context: BrowserContext;
let page: Page;
let pageErrors: string[];

beforeAll(async () => {
  session = await openStackPage({ width: 800, height: 900 });
  ({ stack, context, page, pageErrors } = session);
});

afterAll(async () => {
  await session?.close();
});

/**
 * Screenshots of the current screen at `wide` px (800 unless named) and 320 px wide, after an axe scan finds
 * nothing serious; at 320 px nothing may scroll sideways.
 */
async function shoot(name: string, wide = 800): Promise<void> {
  // Scan the resting state, not a hovered button mid-transition.
  await page.mouse.move(0, 0);
  await page.setViewportSize({ width: wide, height: 900 });
  await page.waitForTimeout(300);
  expect(await seriousAxeViolations(page), `axe on ${name}`).toEqual([]);
  await saveScreenshot(page, `${name}-${wide}`);
  await page.setViewportSize({ width: 320, height: 900 });
  await page.waitForTimeout(200);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow, `sideways scrolling at 320 px on ${name}`).toBeLessThanOrEqual(0);
  await saveScreenshot(page, `${name}-320`);
  await page.setViewportSize({ width: 800, height: 900 });
}

function demoUsersCsv(): string {
  const rows = stack.lab.scenario.users
    .filter((user) => user.email !== DEMO_ADMIN)
    .map((user) => `${user.email},${user.displayName},user`);
  return ["email,displayName,role", ...rows, "not-an-email,Nobody,user"].join("\n");
}

/** The demo's user listed by an alias, and the primary address Exchange answers for it. */
function aliasUser(): { email: string; primary: string } {
  const user = stack.lab.scenario.users.find((entry) => entry.mailbox === "alias" && entry.primarySmtpAddress);
  if (!user?.primarySmtpAddress) throw new Error("the demo scenario lists no user by an alias");
  return { email: user.email, primary: user.primarySmtpAddress };
}

function expectedCounts(): Record<string, number> {
  return expectedCategoryCounts(stack.lab.scenario, DEMO_SERVICE_ACCOUNT);
}

describe("admin settings over the built pane, the backend and the lab", () => {
  it("signs the admin in through the real MSAL popup against the lab", async () => {
    await page.goto(`${stack.origin}/taskpane.html#/admin`);
    await page.getByRole("heading", { name: "Admin settings" }).waitFor();
    await shoot("admin-signed-out");

    await signInAsAdmin(session, DEMO_ADMIN, DEMO_PASSWORD);
    await expect(page.getByText(`Signed in as ${DEMO_ADMIN}`).isVisible()).resolves.toBe(true);
    await expect(page.getByText("Organization: Contoso Lab").isVisible()).resolves.toBe(true);
  });

  it("imports the lab's users after showing each row's verdict", async () => {
    await page.getByRole("tab", { name: "Users" }).click();
    await page.getByRole("textbox", { name: "Users as CSV" }).fill(demoUsersCsv());
    await page.getByRole("button", { name: "Check rows" }).click();
    const others = stack.lab.scenario.users.length - 1;
    await expect(page.getByTestId("import-summary").innerText()).resolves.toBe(
      `${others + 2} lines: the header (line 1), ${others} ready to import, 1 rejected. Nothing is saved yet.`,
    );
    await shoot("admin-users-import-preview", 1200);

    await page.getByRole("button", { name: `Import ${others} valid users` }).click();
    await page.getByText(`Imported ${others} users; 1 row was rejected.`).waitFor();
    await page.getByRole("table", { name: "Users of the organization" }).getByText("alex.wilber@contoso.lab").waitFor();
    await shoot("admin-users");
  });

  it("shows each access type's fields and guidance, and the Exchange Online notice", async () => {
    await page.getByRole("tab", { name: "Email Configuration" }).click();
    const accessType = page.getByRole("combobox", { name: /Mailbox Access Type/ });

    await accessType.selectOption("graph_app_only");
    await page.getByText(/Exchange Online: an app registration with application permissions/).waitFor();
    await expect(page.getByLabel(/Tenant ID/).isVisible()).resolves.toBe(true);
    await shoot("admin-email-config-app-only");

    await accessType.selectOption("ews_oauth_impersonation");
    await page.getByRole("button", { name: "Microsoft 365 OAuth (EWS API)" }).waitFor();
    await page.getByLabel(/EWS URL/).fill("https://outlook.office365.com/EWS/Exchange.asmx");
    await page.getByTestId("retired-notice").waitFor();
    await shoot("admin-email-config-oauth-exchange-online");

    await accessType.selectOption("ews_basic_impersonation");
    await expect(page.getByTestId("retired-notice").isVisible()).resolves.toBe(true);
    await page.getByLabel(/EWS URL/).fill("");
    await expect(page.getByTestId("retired-notice").count()).resolves.toBe(0);
  });

  it("finds the EWS URL with the magic wand, showing the steps it tried", async () => {
    await page.getByLabel(/Account Logon/).fill(DEMO_SERVICE_ACCOUNT);
    await page.getByLabel(/^Password/).fill(DEMO_SERVICE_PASSWORD);
    await page.getByRole("button", { name: /Find EWS URL/ }).click();

    await page.getByTestId("discovery-steps").waitFor({ timeout: 30_000 });
    const url = await page.getByLabel(/EWS URL/).inputValue();
    expect(url).toMatch(/^https:\/\/mail\.contoso\.lab(:\d+)?\/EWS\/Exchange\.asmx$/i);
    const steps = await page.getByRole("list", { name: "Discovery steps tried" }).getByRole("listitem").allInnerTexts();
    expect(steps.length).toBeGreaterThan(1);
    expect(steps.some((step) => step.startsWith("ok"))).toBe(true);
    await shoot("admin-email-config-wand");
  });

  it("runs Check Users Exchange Impersonated Access on the unsaved draft with counts matching the lab", async () => {
    await expect(page.getByTestId("check-warning").innerText()).resolves.toContain("have not been checked");
    await page.getByRole("button", { name: "Check Users Exchange Impersonated Access" }).click();
    await page.getByText("Check finished.").waitFor({ timeout: 90_000 });

    const badges = await page.getByTestId("category-counts").getByRole("listitem").allInnerTexts();
    const shown = Object.fromEntries(
      badges.map((text) => text.split(": ") as [string, string]).map(([k, v]) => [k, Number(v)]),
    );
    expect(shown).toEqual(byLabel(expectedCounts()));
    await expect(page.getByTestId("check-warning").count()).resolves.toBe(0);
    await shoot("admin-check-results");
  });

  it("filters the results by category and exports them as CSV", async () => {
    await page.getByRole("combobox", { name: "Show" }).selectOption("no_mailbox");
    const list = page.getByRole("list", { name: "Results, 1 user" });
    await list.getByText("adele.vance@contoso.lab").waitFor();
    await expect(list.getByText(/What to do:/).isVisible()).resolves.toBe(true);

    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Export CSV" }).click(),
    ]);
    const csv = await readFile(await download.path(), "utf8");
    expect(csv).toContain("adele.vance@contoso.lab");
    expect(csv).not.toContain("alex.wilber@contoso.lab");
    await page.getByRole("combobox", { name: "Show" }).selectOption("");
  });

  it("puts the primary address in the alias's place in one click, then re-checks that user", async () => {
    const { email: alias, primary } = aliasUser();
    await page.getByRole("combobox", { name: "Show" }).selectOption("non_primary_address");
    const list = page.getByRole("list", { name: "Results, 1 user" });
    await list.getByText(alias, { exact: true }).waitFor();
    await list.getByRole("button", { name: "Use the primary address" }).click();
    const done = list.getByTestId("primary-address-done");
    await done.waitFor({ timeout: 20_000 });
    await expect(done.innerText()).resolves.toContain(`${primary} is now the user, in place of ${alias}`);

    await done.getByRole("button", { name: `Re-check ${primary}` }).click();
    await page.getByText(/^1 of 1 users? checked/).waitFor({ timeout: 60_000 });
    await page.getByText("Check finished.").waitFor({ timeout: 60_000 });
    await page.getByRole("combobox", { name: "Show" }).selectOption("");
    const chips = await page.getByTestId("category-counts").getByRole("listitem").allInnerTexts();
    expect(chips).toEqual([`${CATEGORY_LABELS.ok}: 1`]);
    await page.getByRole("list", { name: "Results, 1 user" }).getByText(primary, { exact: true }).waitFor();
  });

  it("shows each user's last check in the Users tab opened by its link, and goes back by the browser", async () => {
    const { email: alias, primary } = aliasUser();
    await page.evaluate(() => {
      window.location.hash = "#/admin/users";
    });
    await page.getByRole("tab", { name: "Users", selected: true }).waitFor();
    const table = page.getByRole("table", { name: "Users of the organization" });
    await table.getByText(primary, { exact: true }).waitFor();
    await expect(table.getByText(alias, { exact: true }).count()).resolves.toBe(0);
    const row = (email: string) => table.getByRole("row").filter({ has: page.getByText(email, { exact: true }) });
    await expect(row(primary).getByTestId("user-status").innerText()).resolves.toContain(CATEGORY_LABELS.ok);
    await expect(row("adele.vance@contoso.lab").getByTestId("user-status").innerText()).resolves.toContain(
      CATEGORY_LABELS.no_mailbox,
    );
    await shoot("admin-users-status", 1200);

    await page.goBack();
    await page.getByRole("tab", { name: "Email Configuration", selected: true }).waitFor();
    await expect(page.evaluate(() => window.location.hash)).resolves.toBe("#/admin/email-config");
  });

  it("saves the checked configuration and says a password is stored", async () => {
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await page.getByText("The email configuration was saved.").waitFor();
    await page.getByText(/A password is stored/).waitFor();
    await expect(page.getByLabel(/^Password/).inputValue()).resolves.toBe("");
    await shoot("admin-email-config-saved");
  });

  it("signs the service account in through the popup without replacing the admin's session", async () => {
    await page.getByRole("combobox", { name: /Mailbox Access Type/ }).selectOption("ews_oauth_impersonation");
    // The lab still holds the admin's sign-in session: prompt=login with the service account's hint switches it.
    await signInThroughPopup(
      context,
      () => page.getByRole("button", { name: "Microsoft 365 OAuth (EWS API)" }).click(),
      null,
      DEMO_SERVICE_PASSWORD,
    );

    await expect
      .poll(() => page.getByTestId("service-account").innerText(), { timeout: 20_000 })
      .toMatch(/^Microsoft 365 OAuth \(EWS API\)\s*Signed in\b/);
    await expect(page.getByTestId("service-account-details").innerText()).resolves.toContain(DEMO_SERVICE_ACCOUNT);
    await expect(page.getByText(`Signed in as ${DEMO_ADMIN}`).isVisible()).resolves.toBe(true);
    await shoot("admin-email-config-service-account");
    await page.getByRole("button", { name: "Discard changes" }).click();
  });

  it("shows the activity trail and exports it", async () => {
    await page.getByRole("tab", { name: "Activity" }).click();
    const table = page.getByRole("table", { name: "Audit trail, newest first" });
    await table
      .getByText(/Saved the email configuration/)
      .first()
      .waitFor();
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Export CSV" }).click(),
    ]);
    expect(await readFile(await download.path(), "utf8")).toContain("email_config.update");
    await shoot("admin-activity");
    expect(pageErrors).toEqual([]);
  });
});
