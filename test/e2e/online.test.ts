/**
 * The `online` demo scenario walked in the pane by its admin (issue 15's "Done when"): Graph app-only with the app
 * whose Mail.Read is also consented tenant-wide, checked before Save, then checked again right after Save. What the
 * admin must see: the consent warning naming the permission, the permissions the product needs and which are
 * missing, a user whose mail works but whose calendar is denied (apart from full success), an alias with its primary
 * address, and the settling note with the time to re-check.
 */
import type { Locator, Page } from "playwright-core";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppOnlyRegistration, ScenarioUser } from "../../src/lab/index.js";
import { seriousAxeViolations } from "./support/axe";
import { saveScreenshot } from "./support/screenshots";
import { DEMO_PASSWORD, type Stack } from "./support/stack";
import { openStackPage, signInAsAdmin, type StackPage } from "./support/session";
import { ACCESS_TYPE_WORDS, CATEGORY_LABELS } from "../../src/contract/labels";

const ONLINE_SCENARIO = fileURLToPath(new URL("../../src/lab/scenarios/online.json", import.meta.url));
const ADMIN = "nora.admin@fabrikam.lab";
// App-only names its check for the app registration, not for impersonation.
const CHECK_BUTTON = ACCESS_TYPE_WORDS.graph_app_only.checkName;

let session: StackPage;
let stack: Stack;
let page: Page;
let pageErrors: string[];

beforeAll(async () => {
  session = await openStackPage(
    { width: 320, height: 900 },
    {
      scenario: ONLINE_SCENARIO,
      admin: ADMIN,
      orgName: "Fabrikam Lab",
      seedUsers: true,
    },
  );
  ({ stack, page, pageErrors } = session);
});

afterAll(async () => {
  await session?.close();
});

/** The app registration whose Mail.Read is consented tenant-wide on top of its RBAC scope. */
function consentedApp(): AppOnlyRegistration & { secret: string } {
  const app = stack.lab.scenario.apps.appOnly.find((candidate) => (candidate.tenantWideConsent ?? []).length > 0);
  if (!app?.secret) throw new Error("the online scenario has no app with a tenant-wide consent and a secret");
  return app as AppOnlyRegistration & { secret: string };
}

/** A user whose mailbox works but who is outside the RBAC management scope: mail through the consent, no calendar. */
function outsideScopeUser(): ScenarioUser {
  const user = stack.lab.scenario.users.find((u) => u.mailbox === "ok" && u.inManagementScope === false);
  if (!user) throw new Error("the online scenario has no working mailbox outside the management scope");
  return user;
}

function aliasUser(): ScenarioUser & { primarySmtpAddress: string } {
  const user = stack.lab.scenario.users.find((u) => u.mailbox === "alias" && u.primarySmtpAddress);
  if (!user) throw new Error("the online scenario has no alias user with a primary address");
  return user as ScenarioUser & { primarySmtpAddress: string };
}

/** Full-page screenshot at the pane's 320 px, after axe finds nothing serious and nothing scrolls sideways. */
async function shoot(name: string): Promise<string> {
  await page.mouse.move(0, 0);
  await page.waitForTimeout(300);
  expect(await seriousAxeViolations(page), `axe on ${name}`).toEqual([]);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow, `${name} scrolls sideways by ${overflow} px`).toBeLessThanOrEqual(0);
  return saveScreenshot(page, `online-${name}-320`);
}

/** The results list filtered to one category through the "Show" picker, as an admin narrows it. */
async function resultsIn(category: string): Promise<Locator> {
  await page.getByRole("combobox", { name: "Show" }).selectOption(category);
  return page.getByRole("list", { name: /^Results, \d+ users?$/ });
}

/** Starts a check and waits for that run to finish (the saved configuration's run says no "unsaved"). */
async function runCheck(of: "draft" | "saved"): Promise<void> {
  await page.getByRole("button", { name: CHECK_BUTTON }).click();
  const finished =
    of === "draft" ? /^(\d+) of \1 users checked \(unsaved configuration\)$/ : /^(\d+) of \1 users checked$/;
  await page.getByText(finished).waitFor({ timeout: 90_000 });
  await page.getByText("Check finished.").waitFor();
}

describe("Exchange Online app-only in the pane, over the online scenario", () => {
  it("signs the tenant's admin in through the lab's MSAL popup", async () => {
    await page.goto(`${stack.origin}/taskpane.html#/admin`);
    await signInAsAdmin(session, ADMIN, DEMO_PASSWORD);
    await expect(page.getByText("Organization: Fabrikam Lab").isVisible()).resolves.toBe(true);
  });

  it("checks the app registration of the scenario before Save", async () => {
    const app = consentedApp();
    await page.getByRole("tab", { name: "Email Configuration" }).click();
    await page.getByRole("combobox", { name: /Mailbox Access Type/ }).selectOption("graph_app_only");
    await page.getByRole("textbox", { name: /Tenant ID/ }).fill(stack.lab.scenario.tenantId);
    await page.getByRole("textbox", { name: /Client ID/ }).fill(app.clientId);
    // The credential radio is labelled "Client secret" too: the field is the password box.
    await page.getByLabel("Client secret", { exact: true }).and(page.locator("[type=password]")).fill(app.secret);
    await runCheck("draft");
  });

  it("warns, naming Mail.Read, that its tenant-wide consent voids the RBAC scope", async () => {
    const consent = page.getByText(/^Mail\.Read is consented tenant-wide in Entra ID/);
    await expect(consent.isVisible()).resolves.toBe(true);
    await expect(consent.innerText()).resolves.toMatch(/RBAC for Applications scope.*has no effect/);
  });

  it("lists the permissions a read-depth check needs, each present or missing", async () => {
    const permissions = page.getByRole("list", { name: "Permissions the product needs" });
    const rows = await permissions.getByRole("listitem").allInnerTexts();
    const row = (name: string) => rows.find((text) => text.startsWith(`${name} `)) ?? `(no row for ${name})`;
    expect(row("User.Read.All")).toMatch(/^User\.Read\.All Present\b/);
    expect(row("Mail.Read")).toMatch(/^Mail\.Read Present\b.*tenant-wide/);
    expect(row("Calendars.Read")).toMatch(/^Calendars\.Read Present\b/);
    // Drafts are a full-depth matter: a read check does not ask for Mail.ReadWrite.
    expect(rows.some((text) => text.startsWith("Mail.ReadWrite "))).toBe(false);
    await shoot("preflight");
  });

  it("counts the mail-ok, calendar-denied user apart from full success, and says so in the results", async () => {
    const user = outsideScopeUser();
    const badges = await page.getByTestId("category-counts").getByRole("listitem").allInnerTexts();
    expect(badges).toContain(`${CATEGORY_LABELS.calendar_denied}: 1`);
    expect(badges.some((text) => text.startsWith(`${CATEGORY_LABELS.ok}: `))).toBe(true);

    const list = await resultsIn("calendar_denied");
    const row = list.getByRole("listitem").filter({ hasText: user.email });
    await row.waitFor();
    await expect(row.innerText()).resolves.toMatch(/Mail: Connected · Calendar: Calendar denied/);
    await expect(row.getByText(/^Mail can be read but the calendar cannot/).isVisible()).resolves.toBe(true);
    await shoot("calendar-denied");
  });

  it("shows the alias as non_primary_address with its primary SMTP address", async () => {
    const user = aliasUser();
    const list = await resultsIn("non_primary_address");
    const row = list.getByRole("listitem").filter({ hasText: user.email });
    await row.waitFor();
    await expect(row.getByText(CATEGORY_LABELS.non_primary_address, { exact: true }).isVisible()).resolves.toBe(true);
    await expect(row.innerText()).resolves.toContain(`Primary address: ${user.primarySmtpAddress}.`);
    await shoot("alias");
    await page.getByRole("combobox", { name: "Show" }).selectOption("");
  });

  it("after Save, a new check says the change can take up to 2 hours and when to re-check", async () => {
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await page.getByText("The email configuration was saved.").waitFor();
    const savedAt = Date.now();
    await runCheck("saved");

    const settling = page.getByTestId("settling");
    await settling.waitFor();
    const note = await settling.innerText();
    const time = /can take up to 2 hours; re-check after (.+)\.$/.exec(note.trim())?.[1];
    expect(note, "the settling note").toMatch(/Changes to RBAC for Applications can take up to 2 hours/);
    // The re-check time is the save's time plus 2 hours, in the admin's own clock.
    const expected = await page.evaluate(
      (at) =>
        [0, 1, 2].map((minutes) =>
          new Date(at + 2 * 3_600_000 + minutes * 60_000).toLocaleTimeString([], {
            hour: "2-digit",
            minute: "2-digit",
          }),
        ),
      savedAt - 60_000,
    );
    expect(expected).toContain(time);
    await shoot("settling");
    expect(pageErrors).toEqual([]);
  });
});
