import axe from "axe-core";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, type BrowserSession } from "./support/browser";
import { buildPaneForTests, type BuiltPane } from "./support/builtPane";
import { saveScreenshot } from "./support/screenshots";
import { serveStatic, type StaticServer } from "./support/staticServer";

const OFFICE_TELEMETRY = /^https:\/\/telemetryservice\.firstpartyapps\.oaspapps\.com\//;

let pane: BuiltPane;
let server: StaticServer;
let browser: BrowserSession;

beforeAll(async () => {
  pane = buildPaneForTests();
  server = await serveStatic(pane.dir);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  pane?.remove();
});

async function openPreview(width: number, query = ""): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ width, height: 900 });
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  // No backend runs here: /api answers 502 and the cards that need it say so; every other resource must load.
  page.on("console", (message) => {
    if (message.type() === "error" && !message.text().startsWith("Failed to load resource"))
      errors.push(message.text());
  });
  page.on("response", (response) => {
    if (response.status() >= 400 && !new URL(response.url()).pathname.startsWith("/api/")) {
      errors.push(`${response.status()} ${response.url()}`);
    }
  });
  await page.goto(`${server.url}/taskpane.html${query}`);
  // The page's own shell already carries the heading: wait for the started pane (the preview bar).
  await page.getByRole("complementary", { name: "Browser preview" }).waitFor();
  return { page, errors };
}

async function peopleIn(page: Page, heading: string): Promise<string[]> {
  return page.getByRole("region", { name: heading }).getByRole("listitem").allInnerTexts();
}

describe("sidebar in the browser preview", () => {
  it("shows the sample message, switches messages and themes, and saves an 800 px screenshot", async () => {
    const { page, errors } = await openPreview(800);
    const switcher = page.getByRole("complementary", { name: "Browser preview" });

    await expect(page.getByTestId("message-subject").innerText()).resolves.toBe("Contract renewal for 2027");
    expect((await peopleIn(page, "From")).join()).toContain("Adele Vance");
    expect(await peopleIn(page, "Cc")).toHaveLength(2);
    await expect(page.getByTestId("mailbox-owner").innerText()).resolves.toMatch(/^Mailbox: Megan Bowen \(/);
    await saveScreenshot(page, "sidebar-800");

    await switcher.getByLabel("Sample item").selectOption("draft");
    await page.getByRole("heading", { name: "This draft" }).waitFor();
    await expect(page.getByTestId("message-subject").innerText()).resolves.toBe("RE: Quarterly review agenda");
    expect((await peopleIn(page, "To")).join()).toContain("Nestor Wilke");
    await expect(page.getByRole("status").innerText()).resolves.toBe("Showing draft: RE: Quarterly review agenda");

    await switcher.getByLabel("Sample item").selectOption("meeting");
    await page.getByRole("heading", { name: "This item isn't a message" }).waitFor();
    await switcher.getByLabel("Sample item").selectOption("none");
    await page.getByRole("heading", { name: "No message selected" }).waitFor();

    await switcher.getByLabel("Theme").selectOption("dark");
    await page.locator('[data-theme="dark"]').waitFor();
    const background = await page.locator("[data-theme]").evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(background).not.toBe("rgb(255, 255, 255)");

    expect(errors).toEqual([]);
    // office.js outside Office adds Microsoft's telemetry iframe (aborted here); the pane itself stays on this machine.
    expect(browser.blockedRequests.filter((url) => !OFFICE_TELEMETRY.test(url))).toEqual([]);
    await page.close();
  });

  it("stays readable at 320 px: long names wrap without horizontal scrolling", async () => {
    const { page, errors } = await openPreview(320, "?sample=onboarding");

    await expect(page.getByTestId("message-subject").innerText()).resolves.toMatch(/^Onboarding checklist/);
    expect((await peopleIn(page, "From")).join()).toContain("Johanna Lorenz-Castellanos de la Fuente");
    expect(await peopleIn(page, "To")).toHaveLength(3);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await saveScreenshot(page, "sidebar-320");

    await page.goto(`${server.url}/taskpane.html?sample=renewal&theme=dark`);
    await page.locator('[data-theme="dark"]').waitFor();
    await page.getByTestId("message-subject").waitFor();
    await saveScreenshot(page, "sidebar-320-dark");

    expect(errors).toEqual([]);
    await page.close();
  });

  it("passes axe's accessibility rules in light and high-contrast themes and is reachable by keyboard", async () => {
    for (const theme of ["light", "highContrast"]) {
      const { page } = await openPreview(320, `?theme=${theme}`);
      await page.getByTestId("message-subject").waitFor();
      await page.addScriptTag({ content: axe.source });
      const violations = await page.evaluate(async () => {
        const result = await (window as unknown as { axe: typeof axe }).axe.run(document);
        return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
      });
      expect(violations, `axe violations in the ${theme} theme`).toEqual([]);

      await page.keyboard.press("Tab");
      const focused = await page.evaluate(() => document.activeElement?.getAttribute("id"));
      const sampleSelectId = await page.getByLabel("Sample item").getAttribute("id");
      expect(focused).toBe(sampleSelectId);
      await page.close();
    }
  });

  it("paints its shell before office.js has loaded, and starts once it has", async () => {
    const page = await browser.newPage({ width: 320, height: 900 });
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let officeJsRequested = false;
    await page.route("**/office-js/office.js", async (route) => {
      officeJsRequested = true;
      await held;
      await route.continue();
    });

    await page.goto(`${server.url}/taskpane.html`, { waitUntil: "commit" });
    await page.getByRole("heading", { level: 1, name: "Sync Sidebar" }).waitFor({ timeout: 10_000 });
    await expect(page.getByRole("status").innerText()).resolves.toBe("Starting…");
    expect(officeJsRequested).toBe(true);
    await expect(page.evaluate(() => typeof (window as { Office?: unknown }).Office)).resolves.toBe("undefined");
    await expect(page.evaluate(() => document.readyState)).resolves.not.toBe("loading");
    await saveScreenshot(page, "first-paint-320");

    release();
    await page.getByRole("complementary", { name: "Browser preview" }).waitFor({ timeout: 20_000 });
    await expect(page.getByTestId("boot-shell").count()).resolves.toBe(0);
    await expect(page.getByRole("heading", { level: 1, name: "Sync Sidebar" }).count()).resolves.toBe(1);
    expect(errors).toEqual([]);
    await page.close();
  });
});
