import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer, type Server } from "node:https";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { decodeJwt } from "jose";
import { chromium, type Browser } from "playwright-core";
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

describe("MSAL browser sign-in through the lab in Chromium", () => {
  it("signs a user in with a popup (PKCE, login_hint prefilled) and returns an Entra-shaped API token", async () => {
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    try {
      const page = await context.newPage();
      // Browser-side errors end up in the assertion message when something breaks.
      const consoleLines: string[] = [];
      page.on("console", (message) => consoleLines.push(`${message.type()}: ${message.text()}`));
      page.on("pageerror", (error) => consoleLines.push(`pageerror: ${error.message}`));
      const query = new URLSearchParams({
        authority: lab.authority,
        clientId: lab.ready.spaClientId,
        scope: lab.ready.apiScope,
        loginHint: "megan.bowen@contoso.lab",
      });
      await page.goto(`${pageOrigin}/index.html?${query.toString()}`);
      await page.waitForFunction(() => document.readyState === "complete");
      const [popup] = await Promise.all([
        page.waitForEvent("popup", { timeout: 15_000 }).catch((error: Error) => {
          throw new Error(`${error.message}\n${consoleLines.join("\n")}`);
        }),
        page.click("#login"),
      ]);
      await popup.waitForSelector("#password");
      expect(await popup.inputValue("#email")).toBe("megan.bowen@contoso.lab");
      expect(await popup.getByLabel("Password").count()).toBe(1);
      await popup.fill("#password", "wrong password");
      await popup.click("button[type=submit]");
      await popup.waitForSelector("[role=alert]", { timeout: 10_000 }).catch(async (error: Error) => {
        throw new Error(`${error.message}\n${popup.url()}\n${(await popup.content()).slice(0, 800)}`);
      });
      expect(await popup.getByRole("alert").textContent()).toContain("do not match");
      await popup.fill("#password", "Lab-Passw0rd!");
      await popup.click("button[type=submit]");
      popup.on("console", (message) => consoleLines.push(`popup ${message.type()}: ${message.text()}`));
      await page
        .waitForFunction(() => document.getElementById("result")?.textContent !== "", undefined, { timeout: 20_000 })
        .catch(async (error: Error) => {
          const where = popup.isClosed()
            ? "popup closed"
            : `popup at ${popup.url()}: ${(await popup.content()).slice(400, 1600)}`;
          throw new Error(`${error.message}\n${where}\n${consoleLines.join("\n")}`);
        });
      const outcome = JSON.parse((await page.textContent("#result")) ?? "{}") as {
        ok: boolean;
        error?: string;
        username: string;
        accessToken: string;
        silentToken: string;
        idTokenClaims: Record<string, unknown>;
      };
      expect(outcome.error).toBeUndefined();
      expect(outcome.ok).toBe(true);
      expect(outcome.username).toBe("megan.bowen@contoso.lab");
      expect(decodeJwt(outcome.accessToken)).toMatchObject({
        iss: lab.issuer,
        aud: lab.ready.backendClientId,
        tid: lab.scenario.tenantId,
        scp: "access_as_user",
        preferred_username: "megan.bowen@contoso.lab",
        azp: lab.ready.spaClientId,
        ver: "2.0",
      });
      expect(outcome.idTokenClaims).toMatchObject({
        aud: lab.ready.spaClientId,
        tid: lab.scenario.tenantId,
        preferred_username: "megan.bowen@contoso.lab",
      });
      expect(outcome.silentToken).toBeTruthy();
    } finally {
      await context.close();
    }
  });
});
