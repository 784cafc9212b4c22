import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CheckRunDto } from "../../src/contract/checks";
import { seriousAxeViolations } from "./support/axe";
import type { BuiltPane } from "./support/builtPane";
import { saveScreenshot } from "./support/screenshots";
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
import { signInThroughPopup } from "./support/session";
import { until } from "../support/until";

let pane: BuiltPane;
let stack: Stack;
let browser: Awaited<ReturnType<typeof launchStackBrowser>>;

/** The admin's part, through the API with a lab-issued token: users, a saved configuration and a finished check. */
async function configureDemoOrg(): Promise<void> {
  const token = await stack.lab.mintToken({
    user: DEMO_ADMIN,
    audience: stack.lab.ready.backendClientId,
    scopes: ["access_as_user"],
  });
  const call = async <T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${stack.backend.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  };
  const { orgs } = await call<{ orgs: Array<{ id: string }> }>("GET", "/api/me");
  const orgId = orgs[0]!.id;
  const csv = [
    "email,displayName,role",
    "alex.wilber@contoso.lab,Alex Wilber,user",
    "adele.vance@contoso.lab,Adele Vance,user",
  ];
  await call("POST", `/api/orgs/${orgId}/users`, { import: { format: "csv", csv: csv.join("\n") } });
  const discovered = await call<{ ewsUrl: string }>("POST", `/api/orgs/${orgId}/email-config/discover`, {
    address: DEMO_SERVICE_ACCOUNT,
    accountLogon: DEMO_SERVICE_ACCOUNT,
    password: DEMO_SERVICE_PASSWORD,
  });
  await call(
    "PUT",
    `/api/orgs/${orgId}/email-config`,
    {
      accessType: "ews_basic_impersonation",
      ewsUrl: discovered.ewsUrl,
      accountLogon: DEMO_SERVICE_ACCOUNT,
      password: DEMO_SERVICE_PASSWORD,
    },
    { "if-match": '"0"' },
  );
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
}

beforeAll(async () => {
  pane = buildPaneForTests();
  stack = await startStack(pane);
  browser = await launchStackBrowser();
  await configureDemoOrg();
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
  pane?.remove();
});

async function openSidebar(context: BrowserContext, width: number): Promise<Page> {
  const page = await context.newPage();
  await page.setViewportSize({ width, height: 900 });
  await page.goto(`${stack.origin}/taskpane.html`);
  await page.getByRole("heading", { name: "Your mailbox" }).waitFor();
  return page;
}

async function signIn(context: BrowserContext, page: Page, email: string): Promise<void> {
  await signInThroughPopup(
    context,
    () => page.getByTestId("mailbox-card").getByRole("button", { name: "Sign in" }).click(),
    email,
    DEMO_PASSWORD,
  );
}

async function shoot(page: Page, name: string): Promise<void> {
  await page.mouse.move(0, 0);
  expect(await seriousAxeViolations(page), `axe on ${name}`).toEqual([]);
  await saveScreenshot(page, `${name}-800`);
  await page.setViewportSize({ width: 320, height: 900 });
  await saveScreenshot(page, `${name}-320`);
  await page.setViewportSize({ width: 800, height: 900 });
}

describe("the end user's mailbox status in the sidebar", () => {
  it("asks the user to sign in, then says the organization connected their mailbox", async () => {
    const context = await browser.newContext();
    try {
      const page = await openSidebar(context, 800);
      await page.getByText("Sign in to see whether your organization has connected your mailbox.").waitFor();
      await shoot(page, "enduser-signed-out");

      await signIn(context, page, "alex.wilber@contoso.lab");

      const card = page.getByTestId("mailbox-card");
      await card.getByTestId("mailbox-state").waitFor({ timeout: 20_000 });
      await expect(card.getByTestId("mailbox-state").innerText()).resolves.toBe("Connected");
      await expect(card.getByTestId("mailbox-headline").innerText()).resolves.toBe("Connected by your organization.");
      await expect(card.getByText(/Last checked/).innerText()).resolves.toMatch(
        /Last checked (now|\d+ seconds? ago|\d+ minutes? ago)/,
      );
      await expect(card.getByRole("button", { name: "Admin settings" }).count()).resolves.toBe(0);
      await shoot(page, "enduser-connected");

      await card.getByRole("button", { name: "Refresh" }).click();
      await expect(card.getByTestId("mailbox-state").innerText()).resolves.toBe("Connected");
    } finally {
      await context.close();
    }
  });

  it("tells a user whose mailbox cannot be reached what to tell the admin", async () => {
    const context = await browser.newContext();
    try {
      const page = await openSidebar(context, 800);
      await signIn(context, page, "adele.vance@contoso.lab");

      const card = page.getByTestId("mailbox-card");
      await card.getByTestId("mailbox-state").waitFor({ timeout: 20_000 });
      await expect(card.getByTestId("mailbox-state").innerText()).resolves.toBe("Not connected");
      await expect(card.getByText(/Tell your admin/).innerText()).resolves.toContain(
        "I do not have a mailbox the organization can reach.",
      );
      await shoot(page, "enduser-not-connected");
    } finally {
      await context.close();
    }
  });

  it("shows the admin an Admin settings button that opens the admin view", async () => {
    const context = await browser.newContext();
    try {
      const page = await openSidebar(context, 800);
      await signIn(context, page, DEMO_ADMIN);
      await page.getByRole("button", { name: "Admin settings" }).click({ timeout: 20_000 });
      await page.getByRole("tablist", { name: "Admin sections" }).waitFor({ timeout: 20_000 });
      await page.getByRole("button", { name: "Back to sidebar" }).click();
      await page.getByRole("heading", { name: "Your mailbox" }).waitFor();
    } finally {
      await context.close();
    }
  });
});
