/**
 * The whole product for browser tests: the Exchange lab (identity provider, EWS, Autodiscover, Graph), the backend
 * as a child process trusting the lab's issuer and reaching the lab through host overrides with its CA, and the
 * built pane served over HTTPS on a loopback origin (the lab's SPA registration accepts https://localhost:*)
 * with /api proxied to the backend, so pane and API share one origin as in a deployment.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import http from "node:http";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium, type BrowserContext } from "playwright-core";
import { generate } from "selfsigned";
import { startLab, type Lab, type Scenario } from "../../../src/lab/index.js";
import { paneAuthEnvForLab } from "../../../scripts/labEnv.js";
import { backendEnvForLab, spawnBackend, type BackendProcess } from "../../support/backendProcess.js";
import { CHROMIUM_FLAGS, CHROMIUM_PATH } from "./browser.js";
import { buildPaneForTests, type BuiltPane } from "./builtPane.js";

/** The demo organization's admin (BOOTSTRAP_ADMIN) and everyone's lab password. */
export const DEMO_ADMIN = "megan.bowen@contoso.lab";
export const DEMO_PASSWORD = "Lab-Passw0rd!";
export const DEMO_SERVICE_ACCOUNT = "svc-sync@contoso.lab";
export const DEMO_SERVICE_PASSWORD = "Sync-Lab-2026!";

export interface Stack {
  lab: Lab;
  backend: BackendProcess;
  /** https://localhost:PORT serving the built pane and proxying /api. */
  origin: string;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".png": "image/png",
  ".svg": "image/svg+xml",
  ".xml": "application/xml",
};

async function servePane(root: string, apiTarget: string): Promise<Server> {
  const cert = await generate([{ name: "commonName", value: "localhost" }], { keySize: 2048, algorithm: "sha256" });
  const server = createServer({ key: cert.private, cert: cert.cert }, (req, res) => {
    const url = new URL(req.url ?? "/", "https://localhost");
    if (url.pathname.startsWith("/api/")) {
      // Streamed both ways, so server-sent events reach the pane as they are written.
      const upstream = http.request(
        new URL(req.url ?? "/", apiTarget),
        { method: req.method, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on("error", () => {
        if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" });
        res.end("backend unreachable");
      });
      req.pipe(upstream);
      return;
    }
    const relative = url.pathname === "/" ? "taskpane.html" : decodeURIComponent(url.pathname).replace(/^\/+/, "");
    const file = path.resolve(root, relative);
    if (!file.startsWith(root + path.sep)) {
      res.writeHead(404).end();
      return;
    }
    readFile(file).then(
      (content) => {
        res.writeHead(200, { "content-type": TYPES[path.extname(file)] ?? "application/octet-stream" });
        res.end(content);
      },
      () => res.writeHead(404).end("not found"),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}

export interface StackOptions {
  /** A scenario object or file (default: the demo organization). */
  scenario?: Scenario | string;
  /** BOOTSTRAP_ADMIN: a user of the scenario (default: the demo admin). */
  admin?: string;
  /** BOOTSTRAP_ORG_NAME (default: Contoso Lab). */
  orgName?: string;
  /** Puts every user of the scenario in the organization at start-up (BOOTSTRAP_USERS_FILE), as `npm start` does. */
  seedUsers?: boolean;
}

async function writeScenarioUsers(file: string, lab: Lab, admin: string): Promise<string> {
  const quote = (value: string): string => `"${value.replace(/"/g, '""')}"`;
  const rows = lab.scenario.users.map((user) =>
    [user.email, user.displayName, user.email === admin ? "admin" : "user"].map(quote).join(","),
  );
  await writeFile(file, ["email,displayName,role", ...rows].join("\n") + "\n");
  return file;
}

export async function startStack(pane: BuiltPane, options: StackOptions = {}): Promise<Stack> {
  const dataDir = await mkdtemp(path.join(tmpdir(), "sync-sidebar-e2e-"));
  const lab = await startLab({ port: 0, ...(options.scenario === undefined ? {} : { scenario: options.scenario }) });
  let backend: BackendProcess | null = null;
  let server: Server | null = null;
  const admin = options.admin ?? DEMO_ADMIN;
  try {
    const usersFile = options.seedUsers
      ? { BOOTSTRAP_USERS_FILE: await writeScenarioUsers(path.join(dataDir, "users.csv"), lab, admin) }
      : {};
    backend = await spawnBackend({
      ...backendEnvForLab({
        ...lab.ready,
        port: lab.port,
        baseUrl: lab.baseUrl,
        backendClientSecret: lab.scenario.apps.backend.secret,
      }),
      DATABASE_URL: path.join(dataDir, "backend.db"),
      SECRETS_KEY_FILE: path.join(dataDir, "keys.json"),
      BOOTSTRAP_ADMIN: admin,
      ...usersFile,
      BOOTSTRAP_ORG_NAME: options.orgName ?? "Contoso Lab",
      BOOTSTRAP_TENANT_ID: lab.scenario.tenantId,
      ...paneAuthEnvForLab(lab.ready),
      CHECK_CONCURRENCY: "10",
    });
    server = await servePane(path.resolve(pane.dir), backend.url);
    const { port } = server.address() as AddressInfo;
    const opened = server;
    const running = backend;
    return {
      lab,
      backend: running,
      origin: `https://localhost:${port}`,
      async close() {
        await new Promise<void>((resolve) => {
          opened.closeAllConnections();
          opened.close(() => resolve());
        });
        await running.kill("SIGTERM");
        await lab.close();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    server?.close();
    await backend?.kill("SIGKILL");
    await lab.close();
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
}

/** A Chromium context that trusts the test certificates; requests off loopback are aborted. */
export async function launchStackBrowser(): Promise<{ newContext(): Promise<BrowserContext>; close(): Promise<void> }> {
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_FLAGS });
  const LOOPBACK = /^(https?|wss?):\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?\//;
  return {
    async newContext() {
      const context = await browser.newContext({ ignoreHTTPSErrors: true, acceptDownloads: true });
      await context.route(
        (url) => !LOOPBACK.test(url.href) && !["data:", "blob:", "about:"].includes(url.protocol),
        (route) => route.abort("blockedbyclient"),
      );
      return context;
    },
    close: () => browser.close(),
  };
}

export { buildPaneForTests };
