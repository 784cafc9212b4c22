import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer, type Server } from "node:https";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { decodeJwt } from "jose";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { generate } from "selfsigned";
import { build } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLab, type Lab } from "../../../src/lab/index.js";

const PAGE_ROOT = fileURLToPath(new URL("./msal-page/", import.meta.url));
const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

let lab: Lab;
let pageServer: Server;
let pageOrigin: string;
let browser: Browser;
let outDir: string;

beforeAll(async () => {
  outDir = await mkdtemp(path.join(tmpdir(), "lab-msal-page-"));
  // The test page is built from source with MSAL v5 so the browser runs the same library the pane ships.
  await build({
    root: PAGE_ROOT,
    configFile: false,
    logLevel: "silent",
    build: {
      outDir,
      emptyOutDir: true,
      target: "es2022",
      rollupOptions: { input: { index: path.join(PAGE_ROOT, "index.html"), auth: path.join(PAGE_ROOT, "auth.html") } },
    },
  });
  const cert = await generate([{ name: "commonName", value: "localhost" }], { keySize: 2048, algorithm: "sha256" });
  pageServer = createServer({ key: cert.private, cert: cert.cert }, (req, res) => {
    const file = path.join(
      outDir,
      path.normalize(new URL(req.url ?? "/", "https://x").pathname).replace(/^\/+/, "") || "index.html",
    );
    readFile(file)
      .then((content) => {
        const type = file.endsWith(".html")
          ? "text/html"
          : file.endsWith(".js")
            ? "text/javascript"
            : "application/octet-stream";
        res.writeHead(200, { "content-type": type });
        res.end(content);
      })
      .catch(() => {
        res.writeHead(404);
        res.end();
      });
  });
  await new Promise<void>((resolve) => pageServer.listen(0, "127.0.0.1", resolve));
  const address = pageServer.address();
  pageOrigin = `https://localhost:${typeof address === "object" && address ? address.port : 0}`;
  lab = await startLab();
  browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_FLAGS });
});

afterAll(async () => {
  await browser?.close();
  await lab?.close();
  await new Promise((resolve) => pageServer?.close(resolve));
  await rm(outDir, { recursive: true, force: true });
});

const USER_A = "megan.bowen@contoso.lab";
const USER_PASSWORD = "Lab-Passw0rd!";
const SERVICE_ACCOUNT = "svc-sync@contoso.lab";
const SERVICE_PASSWORD = "Sync-Lab-2026!";

interface Outcome {
  ok: boolean;
  error?: string;
  username: string;
  accessToken: string;
  idTokenClaims: Record<string, unknown>;
  silentToken?: string;
  renewed?: Record<string, { accessToken?: string; error?: string }>;
}

/** Opens the test page with MSAL settings; browser-side errors are collected for assertion messages. */
async function openPage(context: BrowserContext, settings: Record<string, string>): Promise<[Page, string[]]> {
  const page = await context.newPage();
  const consoleLines: string[] = [];
  page.on("console", (message) => consoleLines.push(`${message.type()}: ${message.text()}`));
  page.on("pageerror", (error) => consoleLines.push(`pageerror: ${error.message}`));
  const query = new URLSearchParams({
    authority: lab.authority,
    clientId: lab.ready.spaClientId,
    scope: lab.ready.apiScope,
    ...settings,
  });
  await page.goto(`${pageOrigin}/index.html?${query.toString()}`);
  await page.waitForFunction(() => document.readyState === "complete");
  return [page, consoleLines];
}

/** Clicks `button`, waits for the lab's sign-in popup and hands it over; fails with the browser's console. */
async function openPopup(page: Page, button: string, consoleLines: string[]): Promise<Page> {
  const [popup] = await Promise.all([
    page.waitForEvent("popup", { timeout: 15_000 }).catch((error: Error) => {
      throw new Error(`${error.message}\n${consoleLines.join("\n")}`);
    }),
    page.click(button),
  ]);
  popup.on("console", (message) => consoleLines.push(`popup ${message.type()}: ${message.text()}`));
  return popup;
}

async function waitForPasswordField(popup: Page): Promise<void> {
  await popup.waitForSelector("#password", { timeout: 15_000 }).catch(async (error: Error) => {
    throw new Error(`${error.message}\n${popup.url()}\n${(await popup.content()).slice(0, 1200)}`);
  });
}

/** Waits for the page to report the popup's outcome in `selector` and parses it. */
async function outcomeOf(page: Page, popup: Page, selector: string, consoleLines: string[]): Promise<Outcome> {
  await page
    .waitForFunction((id) => document.getElementById(id)?.textContent !== "", selector.slice(1), { timeout: 20_000 })
    .catch(async (error: Error) => {
      const where = popup.isClosed()
        ? "popup closed"
        : `popup at ${popup.url()}: ${(await popup.content()).slice(0, 1600)}`;
      throw new Error(`${error.message}\n${where}\n${consoleLines.join("\n")}`);
    });
  return JSON.parse((await page.textContent(selector)) ?? "{}") as Outcome;
}

describe("MSAL browser sign-in through the lab in Chromium", () => {
  it("signs a user in with a popup (PKCE, login_hint prefilled) and returns an Entra-shaped API token", async () => {
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    try {
      const [page, consoleLines] = await openPage(context, { loginHint: USER_A });
      const popup = await openPopup(page, "#login", consoleLines);
      await waitForPasswordField(popup);
      expect(await popup.inputValue("#email")).toBe(USER_A);
      expect(await popup.getByLabel("Password").count()).toBe(1);
      await popup.fill("#password", "wrong password");
      await popup.click("button[type=submit]");
      await popup.waitForSelector("[role=alert]", { timeout: 10_000 }).catch(async (error: Error) => {
        throw new Error(`${error.message}\n${popup.url()}\n${(await popup.content()).slice(0, 800)}`);
      });
      expect(await popup.getByRole("alert").textContent()).toContain("do not match");
      await popup.fill("#password", USER_PASSWORD);
      await popup.click("button[type=submit]");
      const outcome = await outcomeOf(page, popup, "#result", consoleLines);
      expect(outcome.error).toBeUndefined();
      expect(outcome.ok).toBe(true);
      expect(outcome.username).toBe(USER_A);
      expect(decodeJwt(outcome.accessToken)).toMatchObject({
        iss: lab.issuer,
        aud: lab.ready.backendClientId,
        tid: lab.scenario.tenantId,
        scp: "access_as_user",
        preferred_username: USER_A,
        azp: lab.ready.spaClientId,
        ver: "2.0",
      });
      expect(outcome.idTokenClaims).toMatchObject({
        aud: lab.ready.spaClientId,
        tid: lab.scenario.tenantId,
        preferred_username: USER_A,
      });
      expect(outcome.silentToken).toBeTruthy();
    } finally {
      await context.close();
    }
  });

  it("signs a second account in with prompt=login in another popup while the first account's session cookie exists, and both accounts keep renewing", async () => {
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    try {
      const [page, consoleLines] = await openPage(context, {
        loginHint: USER_A,
        secondLoginHint: SERVICE_ACCOUNT,
        secondPrompt: "login",
      });
      const first = await openPopup(page, "#login", consoleLines);
      await waitForPasswordField(first);
      await first.fill("#password", USER_PASSWORD);
      await first.click("button[type=submit]");
      const outcomeA = await outcomeOf(page, first, "#result", consoleLines);
      expect(outcomeA.error).toBeUndefined();
      expect(decodeJwt(outcomeA.accessToken).preferred_username).toBe(USER_A);
      expect((await context.cookies(lab.baseUrl)).map((c) => c.name)).toContain("_session");

      // prompt=login asks for credentials even though the lab knows the browser; the hint prefills the address.
      const second = await openPopup(page, "#login-second", consoleLines);
      await waitForPasswordField(second);
      expect(await second.inputValue("#email")).toBe(SERVICE_ACCOUNT);
      await second.fill("#password", SERVICE_PASSWORD);
      await second.click("button[type=submit]");
      const outcomeB = await outcomeOf(page, second, "#result-second", consoleLines);
      expect(outcomeB.error).toBeUndefined();
      expect(outcomeB.username).toBe(SERVICE_ACCOUNT);
      expect(decodeJwt(outcomeB.accessToken)).toMatchObject({
        aud: lab.ready.backendClientId,
        preferred_username: SERVICE_ACCOUNT,
      });
      expect(outcomeB.idTokenClaims.preferred_username).toBe(SERVICE_ACCOUNT);
      // Both refresh tokens still work after the switch: the first account's renewal was not revoked.
      const renewed = Object.fromEntries(
        Object.entries(outcomeB.renewed ?? {}).map(([user, r]) => [
          user,
          r.accessToken ? decodeJwt(r.accessToken).preferred_username : r.error,
        ]),
      );
      expect(renewed).toEqual({ [USER_A]: USER_A, [SERVICE_ACCOUNT]: SERVICE_ACCOUNT });
      expect(outcomeB.renewed?.[USER_A]?.accessToken).not.toBe(outcomeA.accessToken);
    } finally {
      await context.close();
    }
  });

  it("accepts prompt=select_account: the popup picks the signed-in account without asking for its password", async () => {
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    try {
      // MSAL sends no login_hint with select_account; the lab's picker offers the session's account.
      const [page, consoleLines] = await openPage(context, { loginHint: USER_A, secondPrompt: "select_account" });
      const first = await openPopup(page, "#login", consoleLines);
      await waitForPasswordField(first);
      await first.fill("#password", USER_PASSWORD);
      await first.click("button[type=submit]");
      expect((await outcomeOf(page, first, "#result", consoleLines)).ok).toBe(true);

      const picker = await openPopup(page, "#login-second", consoleLines);
      await waitForPasswordField(picker);
      await expect(picker.getByRole("heading", { level: 1 }).textContent()).resolves.toBe("Pick an account");
      expect(await picker.inputValue("#email")).toBe("");
      await picker.getByRole("button", { name: `Continue as Megan Bowen (${USER_A})` }).click();
      const outcome = await outcomeOf(page, picker, "#result-second", consoleLines);
      expect(outcome.error).toBeUndefined();
      expect(outcome.username).toBe(USER_A);
      expect(decodeJwt(outcome.accessToken)).toMatchObject({ preferred_username: USER_A, scp: "access_as_user" });
    } finally {
      await context.close();
    }
  });
});
