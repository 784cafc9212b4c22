import { readFile } from "node:fs/promises";
import type { JSONWebKeySet } from "jose";
import type { Page } from "playwright-core";
import { Agent, fetch } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CATEGORIES, type CategoryId } from "../../src/contract/categories";
import { verifyAttestation } from "../../src/server/attestation/verify";
import { seriousAxeViolations } from "./support/axe";
import { expectedCategoryCounts } from "./support/demoExpectations";
import { saveScreenshot } from "./support/screenshots";
import { DEMO_ADMIN, DEMO_PASSWORD, DEMO_SERVICE_ACCOUNT, DEMO_SERVICE_PASSWORD, type Stack } from "./support/stack";
import { openStackPage, signInAsAdmin, type StackPage } from "./support/session";

let session: StackPage;
let stack: Stack;
let page: Page;
let pageErrors: string[];

beforeAll(async () => {
  session = await openStackPage({ width: 800, height: 900 });
  ({ stack, page, pageErrors } = session);
});

afterAll(async () => {
  await session?.close();
});

/** The Health tab's buckets for the demo lab: ok → connected, warning → needs attention, the rest failing. */
function expectedHealth(): { connected: number; needsAttention: number; failing: number } {
  const health = { connected: 0, needsAttention: 0, failing: 0 };
  for (const [category, count] of Object.entries(expectedCategoryCounts(stack.lab.scenario, DEMO_SERVICE_ACCOUNT))) {
    const severity = CATEGORIES[category as CategoryId].severity;
    if (severity === "ok") health.connected += count;
    else if (severity === "warning") health.needsAttention += count;
    else health.failing += count;
  }
  return health;
}

/** Stages a change in the running lab through its loopback control endpoint (src/lab/control.ts). */
async function controlLab(body: Record<string, string>): Promise<void> {
  const dispatcher = new Agent({ connect: { ca: stack.lab.caCertPem } });
  try {
    const answer = await fetch(`${stack.lab.baseUrl}/lab/control`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
      dispatcher,
    });
    expect(answer.status, await answer.text()).toBe(200);
  } finally {
    await dispatcher.close();
  }
}

/** Axe finds nothing serious, then screenshots at the sidebar's 320 px and a full window's 1200 px. */
async function shoot(name: string): Promise<void> {
  await page.mouse.move(0, 0);
  await page.waitForTimeout(300);
  for (const width of [1200, 320]) {
    await page.setViewportSize({ width, height: 900 });
    await page.waitForTimeout(300);
    expect(await seriousAxeViolations(page), `axe on ${name} at ${width} px`).toEqual([]);
    // The chart redraws at the pane's width instead of keeping the wide window's drawing, clipped.
    const chart = page.getByTestId("health-chart").locator("svg[aria-label]").first();
    if ((await chart.count()) > 0) {
      await expect
        .poll(async () => (await chart.boundingBox())?.width ?? Infinity, { timeout: 5000 })
        .toBeLessThanOrEqual(width);
    }
    await saveScreenshot(page, `${name}-${width}`);
  }
  await page.setViewportSize({ width: 1200, height: 900 });
}

describe("the Health tab over the built pane, the backend and the lab", () => {
  it("signs the admin in, imports the lab's users and runs a check on the saved configuration", async () => {
    await page.goto(`${stack.origin}/taskpane.html#/admin`);
    await signInAsAdmin(session, DEMO_ADMIN, DEMO_PASSWORD);

    await page.getByRole("tab", { name: "Users" }).click();
    const rows = stack.lab.scenario.users
      .filter((user) => user.email !== DEMO_ADMIN)
      .map((user) => `${user.email},${user.displayName},user`);
    await page.getByRole("textbox", { name: "Users as CSV" }).fill(["email,displayName,role", ...rows].join("\n"));
    await page.getByRole("button", { name: "Check rows" }).click();
    await page.getByRole("button", { name: `Import ${rows.length} valid users` }).click();
    await page.getByText(`Imported ${rows.length} users`).waitFor();

    await page.getByRole("tab", { name: "Email Configuration" }).click();
    await page.getByRole("combobox", { name: /Mailbox Access Type/ }).selectOption("ews_basic_impersonation");
    await page.getByLabel(/Account Logon/).fill(DEMO_SERVICE_ACCOUNT);
    await page.getByLabel(/^Password/).fill(DEMO_SERVICE_PASSWORD);
    await page.getByRole("button", { name: /Find EWS URL/ }).click();
    await page.getByTestId("discovery-steps").waitFor({ timeout: 30_000 });
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await page.getByText("The email configuration was saved.").waitFor();
    await page.getByRole("button", { name: "Check Users Exchange Impersonated Access" }).click();
    await page.getByText("Check finished.").waitFor({ timeout: 90_000 });
  });

  it("opens the finished run's signed attestation, downloads it, and the download verifies against the published keys", async () => {
    await page.getByRole("button", { name: "Signed attestation" }).click();
    try {
      const statement = page.getByTestId("attestation-document");
      await statement.waitFor({ timeout: 30_000 });
      await expect(statement.innerText()).resolves.toContain(DEMO_SERVICE_ACCOUNT);
      const health = expectedHealth();
      await statement.getByText(`Connected: ${health.connected}`).waitFor();
      for (const width of [1200, 320]) {
        await page.setViewportSize({ width, height: 900 });
        await page.waitForTimeout(300);
        expect(await seriousAxeViolations(page), `axe on the attestation at ${width} px`).toEqual([]);
        await saveScreenshot(page, `attestation-${width}`);
      }
      await page.setViewportSize({ width: 1200, height: 900 });

      const [download] = await Promise.all([
        page.waitForEvent("download"),
        page.getByRole("button", { name: "Download signed JSON" }).click(),
      ]);
      expect(download.suggestedFilename()).toMatch(/^access-attestation-.+\.json$/);
      const signed = await readFile(await download.path(), "utf8");
      // A string, not a function: this file's `fetch` is undici's import, which the page does not have.
      const jwks: unknown = await page.evaluate('fetch("/api/attestation-keys").then((answer) => answer.json())');
      const { document } = await verifyAttestation(signed, jwks as JSONWebKeySet);
      const failing = document.users.filter((user) => user.severity === "error" || user.severity === "transient");
      expect(failing).toHaveLength(health.failing);
      expect(document.users.filter((user) => user.severity === "ok")).toHaveLength(health.connected);
    } finally {
      await page.getByRole("button", { name: "Close" }).click();
    }
  });

  it("shows the run in the trend chart and, with the same figures, in its table", async () => {
    await page.getByRole("tab", { name: "Health" }).click();
    const chart = page.getByTestId("health-chart").locator("svg[aria-label]").first();
    await chart.waitFor({ timeout: 20_000 });
    await expect(chart.getAttribute("aria-label")).resolves.toMatch(/^Trend of connected, needs attention and failing/);

    await page.getByRole("button", { name: "Show table of figures" }).click();
    const table = page.getByRole("table", { name: "Users per check run, newest first" });
    await expect(table.isVisible()).resolves.toBe(true);
    const figures = await table.getByRole("row").nth(1).getByRole("cell").allInnerTexts();
    const health = expectedHealth();
    expect(figures.slice(1).map(Number)).toEqual([health.connected, health.needsAttention, health.failing]);
    expect(figures[0]).toContain("Manual");

    const failing = page.getByRole("table", { name: `Failing now (${health.failing})` });
    await expect(failing.getByRole("row").count()).resolves.toBe(health.failing + 1);
    await page.getByText(/This is the first finished run/).waitFor();
    await shoot("health");
  });

  it("shows the dip and the newly failing user after a mailbox breaks in the lab and the check runs again", async () => {
    const broken = "alex.wilber@contoso.lab";
    await controlLab({ action: "mailbox", user: broken, state: "none" });
    await page.getByRole("tab", { name: "Email Configuration" }).click();
    await page.getByRole("button", { name: "Check Users Exchange Impersonated Access" }).click();

    await page.getByRole("tab", { name: "Health" }).click();
    const table = page.getByRole("table", { name: "Users per check run, newest first" });
    const fresh = page.getByRole("list", { name: "Newly failing since the previous run" });
    await expect
      .poll(
        async () => {
          await page.getByRole("button", { name: "Refresh" }).first().click();
          await page.waitForTimeout(500);
          return (await fresh.count()) > 0 ? fresh.innerText() : "";
        },
        { timeout: 90_000, interval: 1000 },
      )
      .toContain(broken);

    // The lab's expectations follow the staged change: they are the figures of the second run.
    const health = expectedHealth();
    await expect(table.getByRole("row").count()).resolves.toBe(3);
    const [newest, previous] = await Promise.all(
      [1, 2].map(async (row) => (await table.getByRole("row").nth(row).getByRole("cell").allInnerTexts()).slice(1)),
    );
    expect(newest?.map(Number)).toEqual([health.connected, health.needsAttention, health.failing]);
    expect(previous?.map(Number)).toEqual([health.connected + 1, health.needsAttention, health.failing - 1]);
    await expect(fresh.getByRole("listitem").count()).resolves.toBe(1);
    await page
      .getByRole("table", { name: `Failing now (${health.failing})` })
      .getByText(broken)
      .waitFor();
    await shoot("health-after-failure");
    await controlLab({ action: "mailbox", user: broken, state: "ok" });
  });

  it("saves a daily schedule and shows when the next run starts", async () => {
    const schedule = page.getByRole("form", { name: "Schedule" });
    await schedule.getByRole("radio", { name: "Daily at a time" }).check();
    await schedule.getByRole("button", { name: "Save schedule" }).click();
    await schedule.getByText("Schedule saved.").waitFor();
    await schedule.getByText(/Next scheduled run/).waitFor();
    await shoot("health-monitoring");
    expect(pageErrors).toEqual([]);
  });
});
