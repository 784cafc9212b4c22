/**
 * The README's hybrid walk on what `LAB_SCENARIO=src/lab/scenarios/hybrid.json npm start` serves: the demo
 * organization (northwind.lab) starts with two connection profiles, On-premises (EWS with NTLM, the default) and
 * Cloud (Graph app-only), and Automatic placement. The admin finds both in Email Configuration and opens each; a
 * check through On-premises finds the mailboxes that live in Exchange Online, and the product places those users in
 * Cloud; the next check goes through both profiles, and its per-profile counts are the scenario's. Then a mailbox
 * moves through the lab's control, and the next scheduled check follows it. Screenshots: test-results/hybrid-*.
 */
import type { BrowserContext, Locator, Page } from "playwright-core";
import { Agent, fetch } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seriousAxeViolations } from "./support/axe";
import { runNpmStart, type RunningStart } from "./support/npmStart";
import { signInToEmailConfiguration } from "./support/adminWalk";
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

/** A check panel's category badges, as { category: count }. */
async function badgeCounts(within: Locator): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const badge of await within.locator("[data-category]").all()) {
    const category = (await badge.getAttribute("data-category")) ?? "";
    counts[category] = Number(/:\s*(\d+)$/.exec((await badge.innerText()).trim())?.[1]);
  }
  return counts;
}

/** Moves a mailbox through the running lab's loopback control (src/lab/control.ts), as the README's walk does. */
async function moveMailbox(user: string, to: "cloud" | "onprem"): Promise<void> {
  // The lab's certificate is its own CA's; this test process does not trust it, as npmStart's own probes do not.
  const dispatcher = new Agent({ connect: { rejectUnauthorized: false } });
  try {
    const answer = await fetch(`${start.labOrigin}/lab/control`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ action: "move", user, to, stage: "complete" }),
      dispatcher,
    });
    expect(answer.status, await answer.text()).toBe(200);
  } finally {
    await dispatcher.close();
  }
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
    await signInToEmailConfiguration(admin, page, start.paneUrl, { email: ADMIN, password: DEMO_PASSWORD }, watch);

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

  it("checks On-premises and finds the mailboxes in Exchange Online; Automatic placement moves those users to Cloud", async () => {
    const panel = page.getByRole("region", { name: "Check access" });
    await panel.getByText("Verifies, for every user checked through “On-premises”").waitFor();
    await panel.getByRole("button", { name: "Check Users Exchange Impersonated Access" }).click();
    await panel.getByText("Check finished.").waitFor({ timeout: 90_000 });
    // The scenario: Oscar, Olivia and Otto live on-premises; Nina, Clara and Colin were moved to Exchange Online; Mia
    // is in the middle of a move; Cora (created in the cloud) and Noah (no mailbox) are found nowhere on-premises.
    await expect(badgeCounts(panel.getByTestId("category-counts"))).resolves.toEqual({
      ok: 3,
      mailbox_in_cloud: 3,
      mailbox_moving: 1,
      no_mailbox: 2,
    });
    await shoot("onprem-check", () => panel.getByTestId("category-counts").scrollIntoViewIfNeeded());

    const lines = await profilesOfUsers();
    for (const moved of ["nina.admin", "clara.cloud", "colin.cloud"])
      expect([moved, lines[`${moved}@northwind.lab`]]).toEqual([moved, expect.stringMatching(/^Profile: Cloud \(/)]);
    for (const stays of ["oscar.onprem", "olivia.onprem", "otto.onprem", "mia.moving"])
      expect([stays, lines[`${stays}@northwind.lab`]]).toEqual([stays, expect.stringMatching(/^Profile: On-premises/)]);
    await shoot("users-placed", () => page.getByTestId("user-profile").first().scrollIntoViewIfNeeded());
    await page.getByRole("tab", { name: "Email Configuration" }).click();
  });

  it("checks every user through their own profile, side by side, with the scenario's counts per profile", async () => {
    const panel = page.getByRole("region", { name: "Check every profile" });
    await panel.getByRole("button", { name: "Check all profiles" }).click();
    await panel.getByText("Check finished.").waitFor({ timeout: 90_000 });
    const progress = panel.getByTestId("profile-progress");
    await expect(progress.innerText()).resolves.toMatch(/Cloud: 3 of 3 users checked, 3 connected \(finished\)/);
    await expect(progress.innerText()).resolves.toMatch(/On-premises: 6 of 6 users checked, 3 connected \(finished\)/);
    await expect(badgeCounts(panel.locator('[data-testid="profile-counts"][data-profile="Cloud"]'))).resolves.toEqual({
      ok: 3,
    });
    await expect(
      badgeCounts(panel.locator('[data-testid="profile-counts"][data-profile="On-premises"]')),
    ).resolves.toEqual({ ok: 3, mailbox_moving: 1, no_mailbox: 2 });
    await expect(badgeCounts(panel.getByTestId("category-counts"))).resolves.toEqual({
      ok: 6,
      mailbox_moving: 1,
      no_mailbox: 2,
    });
    // One profile's results at a time: Cloud's three users, each checked through Cloud.
    await panel.getByRole("combobox", { name: "Profile" }).selectOption({ label: "Cloud (3)" });
    for (const user of ["nina.admin", "clara.cloud", "colin.cloud"])
      await panel.getByText(`${user}@northwind.lab`).first().waitFor();
    await expect(panel.getByText("oscar.onprem@northwind.lab").count()).resolves.toBe(0);
    await shoot("group-check", () => panel.getByTestId("profile-progress").scrollIntoViewIfNeeded());
  });

  it("follows a mailbox moved through the lab's control at the next scheduled check", async () => {
    await moveMailbox("oscar.onprem@northwind.lab", "cloud");
    await page.getByRole("tab", { name: "Health" }).click();
    const schedule = page.getByRole("form", { name: "Schedule" });
    await schedule.getByRole("radio", { name: "Daily at a time" }).check();
    // The next whole minute but one, in UTC: the scheduler (MONITORING_TICK_MS=1000) starts the run within seconds.
    const at = new Date(Date.now() + 120_000);
    const time = `${String(at.getUTCHours()).padStart(2, "0")}:${String(at.getUTCMinutes()).padStart(2, "0")}`;
    await schedule.getByLabel("Time of day").fill(time);
    await schedule.getByRole("combobox", { name: "Time zone" }).selectOption("UTC");
    await schedule.getByRole("button", { name: "Save schedule" }).click();
    await schedule.getByText("Schedule saved.").waitFor();

    // Until the scheduled run has ended, Oscar stays on-premises; then he is checked through Cloud.
    let line = "";
    const deadline = Date.now() + 240_000;
    while (Date.now() < deadline) {
      line = (await profilesOfUsers())["oscar.onprem@northwind.lab"] ?? "";
      if (/^Profile: Cloud/.test(line)) break;
      await page.getByRole("tab", { name: "Health" }).click();
      await page.waitForTimeout(5_000);
    }
    expect(
      line,
      `Oscar's profile after the scheduled check; the services said:\n${start.output().slice(-6_000)}`,
    ).toMatch(/^Profile: Cloud \(/);
    await shoot("users-followed", () =>
      page.getByRole("row").filter({ hasText: "oscar.onprem@northwind.lab" }).scrollIntoViewIfNeeded(),
    );
    // The Health tab says so, in the words of the move.
    await page.getByRole("tab", { name: "Health" }).click();
    const moved = page.getByRole("list", { name: "Moved in the latest run (1)" });
    await moved.waitFor({ timeout: 30_000 });
    await expect(moved.innerText()).resolves.toMatch(
      /oscar\.onprem@northwind\.lab[\s\S]*Moved from On-premises to Cloud/,
    );
    await shoot("health-moved", () => moved.scrollIntoViewIfNeeded());
  }, 360_000);

  it("met no failed request, console error or uncaught exception on the way", async () => {
    await admin?.close();
    expect(problems).toEqual([]);
  });
});
