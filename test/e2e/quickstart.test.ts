/**
 * The README's quick start, walked as written against what `npm start` serves (the Vite dev server, not a build):
 * the lab's front page, the pane in the browser preview, the admin's sign-in through the lab's popup, Email
 * Configuration with the magic wand, the check over the demo organization, Save, and the end user's status.
 */
import path from "node:path";
import type { BrowserContext, Page, Response } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadScenarioFile, type Scenario } from "../../src/lab/index.js";
import { seriousAxeViolations } from "./support/axe";
import { byLabel, expectedCategoryCounts } from "./support/demoExpectations";
import { runNpmStart, type RunningStart } from "./support/npmStart";
import { saveScreenshot } from "./support/screenshots";
import {
  DEMO_ADMIN,
  DEMO_PASSWORD,
  DEMO_SERVICE_ACCOUNT,
  DEMO_SERVICE_PASSWORD,
  launchStackBrowser,
} from "./support/stack";

const END_USER = "alex.wilber@contoso.lab";

let start: RunningStart;
let scenario: Scenario;
let browser: Awaited<ReturnType<typeof launchStackBrowser>>;
/** Everything that went wrong in any page of the walk: failed requests, console errors, uncaught exceptions. */
const problems: string[] = [];

/** Requests the flow itself makes and expects to fail. */
function expectedFailure(response: Response): boolean {
  const url = new URL(response.url());
  // Before sign-in the status card asks who the user is and is told: nobody yet.
  return response.status() === 401 && url.pathname === "/api/me" && !response.request().headers().authorization;
}

function watch(page: Page): Page {
  page.on("pageerror", (error) => problems.push(`${page.url()}: uncaught ${error.message}`));
  page.on("console", (message) => {
    if (message.type() !== "error") return;
    // Chromium reports a failed request as a console error too; the response handler judges those.
    if (message.text().startsWith("Failed to load resource")) return;
    problems.push(`${page.url()}: console error ${message.text()}`);
  });
  page.on("response", (response) => {
    if (response.status() >= 400 && !expectedFailure(response))
      problems.push(`${response.status()} ${response.request().method()} ${response.url()}`);
  });
  return page;
}

async function newPage(context: BrowserContext, width: number): Promise<Page> {
  const page = watch(await context.newPage());
  await page.setViewportSize({ width, height: 900 });
  return page;
}

/**
 * The same screen inside the sidebar (320 px) and full-window (1200 px), after axe finds nothing serious (the
 * lab's page forbids scripts, axe's too: it is only photographed).
 */
async function shoot(page: Page, name: string, { axe = true } = {}): Promise<void> {
  await page.mouse.move(0, 0);
  await page.waitForTimeout(300);
  if (axe) expect(await seriousAxeViolations(page), `axe on ${name}`).toEqual([]);
  const { width } = page.viewportSize() ?? { width: 1200 };
  for (const size of [320, 1200]) {
    await page.setViewportSize({ width: size, height: 900 });
    await page.waitForTimeout(200);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, `${name} at ${size} px scrolls sideways by ${overflow} px`).toBeLessThanOrEqual(0);
    await saveScreenshot(page, `quickstart-${name}-${size}`);
  }
  await page.setViewportSize({ width, height: 900 });
}

/** Signs in through the lab's login page in the popup MSAL opens. */
async function signInThroughPopup(context: BrowserContext, trigger: () => Promise<void>, email: string) {
  const [popup] = await Promise.all([context.waitForEvent("page", { timeout: 30_000 }), trigger()]);
  watch(popup);
  await popup.waitForSelector("#password", { timeout: 30_000 });
  await popup.fill("#email", email);
  await popup.fill("#password", DEMO_PASSWORD);
  await popup.click("button[type=submit]");
  await popup.waitForEvent("close", { timeout: 30_000 }).catch(() => undefined);
}

beforeAll(async () => {
  start = await runNpmStart();
  scenario = await loadScenarioFile(path.join(start.dataDir, "lab", "scenario.json"));
  browser = await launchStackBrowser();
});

afterAll(async () => {
  await browser?.close();
  await start?.stop();
});

describe("the README's quick start on what npm start serves", () => {
  let admin: BrowserContext;
  let page: Page;

  it("prints readable output: no request lines, no JSON, no runtime warning from the identity library", () => {
    const output = start.output();
    expect(output).toContain(`start: the pane is at ${start.paneUrl}`);
    expect(output).not.toMatch(/^\[backend\] \{/m);
    expect(output).not.toContain("incoming request");
    expect(output).not.toContain("oidc-provider WARNING");
  });

  it("1. opens the lab once: its front page names the demo accounts and links the pane", async () => {
    admin = await browser.newContext();
    page = await newPage(admin, 1200);
    await page.goto(start.labOrigin);
    await page.getByRole("heading", { level: 1, name: "Exchange lab: contoso.lab" }).waitFor();
    const users = page.getByRole("table", { name: /^Users \(11\)/ });
    await expect(users.getByRole("row").count()).resolves.toBe(scenario.users.length + 1);
    await users.getByRole("cell", { name: END_USER, exact: true }).waitFor();
    await page.getByRole("cell", { name: DEMO_SERVICE_ACCOUNT, exact: true }).waitFor();
    await expect(page.getByRole("link", { name: start.paneUrl, exact: true }).getAttribute("href")).resolves.toBe(
      start.paneUrl,
    );
    await expect(page.getByRole("link", { name: "download ca.pem" }).getAttribute("href")).resolves.toBe("/lab/ca.pem");
    await shoot(page, "lab", { axe: false });
  });

  it("2. opens the pane: the preview bar and the lab's demo mailbox, one identity", async () => {
    // The dev server compiles the pane's modules on this first visit: on a busy machine that outlasts 30 s.
    await page.goto(start.paneUrl, { timeout: 90_000 });
    await page.getByRole("heading", { level: 1, name: "Sync Sidebar" }).waitFor({ timeout: 60_000 });
    await page.getByRole("complementary", { name: "Browser preview" }).waitFor();
    await page.getByText(`Mailbox: Megan Bowen (${DEMO_ADMIN})`).waitFor();
    await expect(page.getByTestId("message-subject").innerText()).resolves.toBe("Contract renewal for 2027");
    await expect(page.getByText("contoso.example").count()).resolves.toBe(0);
    await shoot(page, "pane");
  });

  it("3. signs the admin in through the lab's popup from Your mailbox", async () => {
    await signInThroughPopup(
      admin,
      () => page.getByTestId("mailbox-card").getByRole("button", { name: "Sign in" }).click(),
      DEMO_ADMIN,
    );
    await page.getByRole("button", { name: "Admin settings" }).waitFor({ timeout: 30_000 });
  });

  it("4.1 opens Admin settings: the demo organization already holds every user of the lab", async () => {
    await page.getByRole("button", { name: "Admin settings" }).click();
    await page.getByRole("tablist", { name: "Admin sections" }).waitFor({ timeout: 30_000 });
    await expect(page.getByText(`Signed in as ${DEMO_ADMIN}`).isVisible()).resolves.toBe(true);
    await page.getByRole("tab", { name: "Users" }).click();
    const table = page.getByRole("table", { name: "Users of the organization" });
    await table.getByText(END_USER).waitFor();
    for (const user of scenario.users) await table.getByText(user.email, { exact: true }).waitFor();
    await shoot(page, "admin-users");
  });

  it("4.2 fills Email Configuration for Microsoft Exchange Impersonation, the EWS URL by the magic wand", async () => {
    await page.getByRole("tab", { name: "Email Configuration" }).click();
    await page.getByRole("combobox", { name: /Mailbox Access Type/ }).selectOption("ews_basic_impersonation");
    await page.getByLabel(/Account Logon/).fill(DEMO_SERVICE_ACCOUNT);
    await page.getByLabel(/^Password/).fill(DEMO_SERVICE_PASSWORD);
    await page.getByRole("button", { name: /Find EWS URL/ }).click();
    await page.getByTestId("discovery-steps").waitFor({ timeout: 30_000 });
    await expect(page.getByLabel(/EWS URL/).inputValue()).resolves.toMatch(
      /^https:\/\/mail\.contoso\.lab(:\d+)?\/EWS\/Exchange\.asmx$/i,
    );
  });

  it("4.3 checks every user of the demo organization: one of each outcome the lab plays", async () => {
    await page.getByRole("button", { name: "Check Users Exchange Impersonated Access" }).click();
    await page.getByText("Check finished.").waitFor({ timeout: 120_000 });
    const badges = await page.getByTestId("category-counts").getByRole("listitem").allInnerTexts();
    const shown = Object.fromEntries(
      badges.map((text) => text.split(": ") as [string, string]).map(([k, v]) => [k, Number(v)]),
    );
    const expected = expectedCategoryCounts(scenario, DEMO_SERVICE_ACCOUNT);
    expect(shown).toEqual(byLabel(expected));
    // The spread a newcomer should see: success and every kind of per-user failure the demo scenario holds.
    expect(Object.keys(expected).length).toBeGreaterThanOrEqual(7);
    await page.getByRole("list", { name: `Results, ${scenario.users.length} users` }).waitFor();
    await shoot(page, "check-results");
  });

  it("sizes the results list to its rows: one result leaves no tall empty box", async () => {
    await page.getByRole("combobox", { name: "Show" }).selectOption("no_mailbox");
    const list = page.getByRole("list", { name: "Results, 1 user" });
    await list.getByText("adele.vance@contoso.lab").waitFor();
    const listBox = await list.boundingBox();
    const rowBox = await list.getByRole("listitem").boundingBox();
    expect(listBox && rowBox, "the list and its row are laid out").toBeTruthy();
    // The row plus the list's own border, not the list's maximum height.
    expect(listBox!.height).toBeLessThanOrEqual(rowBox!.height + 4);
    await shoot(page, "results-one");
    await page.getByRole("combobox", { name: "Show" }).selectOption("");
  });

  it("4.4 saves the checked configuration", async () => {
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await page.getByText("The email configuration was saved.").waitFor();
    await page.getByText(/A password is stored/).waitFor();
    await shoot(page, "saved");
  });

  it(`3. signs the end user ${END_USER} in: Connected by your organization`, async () => {
    const user = await browser.newContext();
    try {
      const sidebar = await newPage(user, 320);
      await sidebar.goto(start.paneUrl, { timeout: 90_000 });
      await sidebar.getByRole("heading", { name: "Your mailbox" }).waitFor({ timeout: 60_000 });
      await signInThroughPopup(
        user,
        () => sidebar.getByTestId("mailbox-card").getByRole("button", { name: "Sign in" }).click(),
        END_USER,
      );
      const card = sidebar.getByTestId("mailbox-card");
      await card.getByTestId("mailbox-state").waitFor({ timeout: 30_000 });
      await expect(card.getByTestId("mailbox-state").innerText()).resolves.toBe("Connected");
      await expect(card.getByTestId("mailbox-headline").innerText()).resolves.toBe("Connected by your organization.");
      await expect(card.getByRole("button", { name: "Admin settings" }).count()).resolves.toBe(0);
      await shoot(sidebar, "enduser-connected");
    } finally {
      await user.close();
    }
  });

  it("met no failed request, console error or uncaught exception on the way", async () => {
    await admin?.close();
    expect(problems).toEqual([]);
    // A dependency Vite discovers late reloads the page mid-flow; the dev server must know them all up front.
    expect(start.output()).not.toMatch(/optimized dependencies changed|reloading/i);
    // Warnings and errors are always shown: none is expected on the quick start's path.
    expect(start.output()).not.toMatch(/^\[backend\] (warn|error|fatal): (?!No SECRETS_KEYS configured)/m);
  });
});
