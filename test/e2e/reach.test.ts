/**
 * Sidebar reach through the door the user walks: an end user opens the pane and signs in (and sees nothing new);
 * then the admin sees that user's sidebar line on the Users tab, finds who never opened it, and reads the reach
 * figure on the Health tab, as the backend counts it.
 */
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CheckRunDto } from "../../src/contract/checks";
import type { ReachSummaryDto, UserReachDto } from "../../src/contract/reach";
import { reachFigure } from "../../src/taskpane/admin/health/SidebarReachSection";
import { seriousAxeViolations } from "./support/axe";
import type { BuiltPane } from "./support/builtPane";
import { saveScreenshot } from "./support/screenshots";
import { signInThroughPopup } from "./support/session";
import { until } from "../support/until";
import {
  DEMO_ADMIN,
  DEMO_PASSWORD,
  DEMO_SERVICE_ACCOUNT,
  DEMO_SERVICE_PASSWORD,
  buildPaneForTests,
  launchStackBrowser,
  startStack,
  type Stack,
} from "./support/stack";

const END_USER = "alex.wilber@contoso.lab";
const NEVER_OPENS = "adele.vance@contoso.lab";

let pane: BuiltPane;
let stack: Stack;
let browser: Awaited<ReturnType<typeof launchStackBrowser>>;
let orgId = "";
let call: <T>(method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<T>;

beforeAll(async () => {
  pane = buildPaneForTests();
  stack = await startStack(pane);
  browser = await launchStackBrowser();
  const token = await stack.lab.mintToken({
    user: DEMO_ADMIN,
    audience: stack.lab.ready.backendClientId,
    scopes: ["access_as_user"],
  });
  call = async <T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${stack.backend.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  };
  // The admin's part through the API: two users, the saved configuration and a finished check (connected mailboxes).
  orgId = (await call<{ orgs: Array<{ id: string }> }>("GET", "/api/me")).orgs[0]!.id;
  const csv = ["email,displayName,role", `${END_USER},Alex Wilber,user`, `${NEVER_OPENS},Adele Vance,user`];
  await call("POST", `/api/orgs/${orgId}/users`, { import: { format: "csv", csv: csv.join("\n") } });
  const discovered = await call<{ ewsUrl: string }>("POST", `/api/orgs/${orgId}/email-config/discover`, {
    address: DEMO_SERVICE_ACCOUNT,
    accountLogon: DEMO_SERVICE_ACCOUNT,
    password: DEMO_SERVICE_PASSWORD,
  });
  const config = { accessType: "ews_basic_impersonation", ewsUrl: discovered.ewsUrl };
  const credentials = { accountLogon: DEMO_SERVICE_ACCOUNT, password: DEMO_SERVICE_PASSWORD };
  await call("PUT", `/api/orgs/${orgId}/email-config`, { ...config, ...credentials }, { "if-match": '"0"' });
  const { runId } = await call<{ runId: string }>("POST", `/api/orgs/${orgId}/checks`, {
    scope: { all: true },
    depth: "read",
  });
  await until(
    async () => {
      const run = await call<CheckRunDto>("GET", `/api/orgs/${orgId}/checks/${runId}`);
      return run.state !== "running" && run.state !== "preflight";
    },
    60_000,
    "the check run to finish",
  );
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
  pane?.remove();
});

async function openPane(context: BrowserContext, hash = ""): Promise<Page> {
  const page = await context.newPage();
  await page.setViewportSize({ width: 800, height: 900 });
  await page.goto(`${stack.origin}/taskpane.html${hash}`);
  return page;
}

/** The user's report reaches the backend in the background, after sign-in: wait for it there. */
async function reportOf(email: string): Promise<UserReachDto> {
  for (let i = 0; i < 100; i++) {
    const { items } = await call<{ items: UserReachDto[] }>("GET", `/api/orgs/${orgId}/reach/users`);
    const found = items.find((user) => user.email === email);
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${email}'s sidebar never reported`);
}

async function shoot(page: Page, name: string): Promise<void> {
  await page.mouse.move(0, 0);
  await page.waitForTimeout(300);
  expect(await seriousAxeViolations(page), `axe on ${name}`).toEqual([]);
  await saveScreenshot(page, `${name}-800`);
  await page.setViewportSize({ width: 320, height: 900 });
  await saveScreenshot(page, `${name}-320`);
  await page.setViewportSize({ width: 800, height: 900 });
}

describe("sidebar reach", () => {
  it("records the end user's sidebar when they open the pane, showing them nothing new", async () => {
    const context = await browser.newContext();
    try {
      const page = await openPane(context);
      await page.getByRole("heading", { name: "Your mailbox" }).waitFor();
      await signInThroughPopup(
        context,
        () => page.getByTestId("mailbox-card").getByRole("button", { name: "Sign in" }).click(),
        END_USER,
        DEMO_PASSWORD,
      );
      const card = page.getByTestId("mailbox-card");
      await card.getByTestId("mailbox-state").waitFor({ timeout: 20_000 });
      await expect(card.getByTestId("mailbox-state").innerText()).resolves.toBe("Connected");

      const report = await reportOf(END_USER);
      expect(report.sidebar).toMatchObject({
        client: "preview",
        platform: null,
        manifest: "unknown",
        signInPath: "popup",
        signInFailure: null,
        nestedAppAuth: false,
      });
      const body = await page.locator("body").innerText();
      expect(body).not.toMatch(/reach|Sidebar last opened|report/i);
    } finally {
      await context.close();
    }
  });

  it("shows the admin the user's sidebar line, who never opened it, and the reach figure", async () => {
    const context = await browser.newContext();
    try {
      const page = await openPane(context, "#/admin");
      await page.getByRole("heading", { name: "Admin settings" }).waitFor();
      await signInThroughPopup(
        context,
        () => page.getByRole("button", { name: "Sign in" }).click(),
        DEMO_ADMIN,
        DEMO_PASSWORD,
      );
      await page.getByRole("tablist", { name: "Admin sections" }).waitFor({ timeout: 20_000 });

      await page.getByRole("tab", { name: "Users" }).click();
      const row = page.getByRole("row").filter({ hasText: END_USER });
      await row.getByText(/^Sidebar last opened/).waitFor({ timeout: 20_000 });
      await expect(row.getByText(/^Sidebar last opened/).innerText()).resolves.toMatch(
        /^Sidebar last opened (just now|\d+ min ago) in browser preview, signed in through a pop-up window$/,
      );
      await expect(
        page
          .getByRole("row")
          .filter({ hasText: NEVER_OPENS })
          .getByText(/^Sidebar/)
          .innerText(),
      ).resolves.toBe("Sidebar never opened (in the last 90 days)");

      await page.getByRole("combobox", { name: "Sidebar reach" }).selectOption("never_opened");
      const never = page.getByRole("region", { name: "Never opened the sidebar" });
      await never.getByText(NEVER_OPENS).waitFor({ timeout: 20_000 });
      await expect(never.getByText(END_USER).count()).resolves.toBe(0);
      await shoot(page, "admin-users-sidebar-reach");

      await page.getByRole("tab", { name: "Health" }).click();
      const section = page.getByRole("region", { name: /Sidebar reach/ });
      await section.getByText(/users with a connected mailbox/).waitFor({ timeout: 20_000 });
      const summary = await call<ReachSummaryDto>("GET", `/api/orgs/${orgId}/reach/summary`);
      expect(summary.reached).toBeGreaterThanOrEqual(1);
      await expect(section.getByText(/users with a connected mailbox/).innerText()).resolves.toBe(reachFigure(summary));
      await expect(section.getByRole("listitem").first().innerText()).resolves.toMatch(/^browser preview: \d+ users?$/);
      await shoot(page, "admin-health-sidebar-reach");
    } finally {
      await context.close();
    }
  });
});
