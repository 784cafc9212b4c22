/**
 * The Exchange lab, programmatic entry: `startLab()` serves EWS, Autodiscover, Graph and an Entra-like identity
 * provider for one scenario over HTTPS on a loopback port, and returns its URLs, its CA and `close()`.
 * Product tests start it in-process (port 0 = ephemeral); `npm run lab` wraps it (src/lab/main.ts).
 */
import { X509Certificate } from "node:crypto";
import { createServer, type Server } from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Authenticator } from "./auth.js";
import { MICROSOFT_HOSTS, ensureCertificates } from "./certs.js";
import { Directory } from "./directory.js";
import { AutodiscoverService } from "./autodiscover.js";
import { EwsService, EWS_AUDIENCE } from "./ews/service.js";
import { GraphService, GRAPH_AUDIENCE } from "./graph/service.js";
import { sendJson } from "./http.js";
import { IdentityService } from "./identity/provider.js";
import { doneOf, landingPage, sendFavicon, sendLandingPage } from "./landing.js";
import { handleControl, sendMail } from "./controlRoutes.js";
import { MailCatcher, type CaughtMail } from "./mail.js";
import { createSigningKey, loadOrCreateSigningKey, mintAccessToken, type SigningKey } from "./identity/keys.js";
import { loadScenarioFile, parseScenario, type Scenario } from "./scenario.js";
import { sendUnknownTenant } from "./identity/entraErrors.js";
import { LabStats } from "./stats.js";
import { channelBindingHash } from "./ntlm.js";
import { DirectoryAuth } from "./windowsAuth.js";

export { parseScenario, loadScenarioFile, ScenarioError, MAILBOX_STATES, EWS_AUTH_METHODS } from "./scenario.js";
export type {
  Scenario,
  ScenarioUser,
  ServiceAccount,
  AppOnlyRegistration,
  MailboxState,
  FaultRule,
  EwsAuthMethod,
} from "./scenario.js";
export { generateScenario, parseMix } from "./generate.js";
export { objectIdFor } from "./directory.js";
export { expectedAutodiscoverAnswer, expectedEwsOutcome, expectedGraphOutcome } from "./expectations.js";

export const DEMO_SCENARIO_FILE = fileURLToPath(new URL("./scenarios/demo.json", import.meta.url));

export interface StartLabOptions {
  /** A scenario object, a path to a scenario JSON file, or nothing for the demo organization. */
  scenario?: Scenario | string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Loopback address to listen on: 127.0.0.1 (default), ::1 or localhost. */
  host?: string;
  /**
   * Where the CA, server certificate and signing key persist (the CLI uses ./data/lab). Without it the certificates
   * are cached in a per-user temp folder and the signing key lives only in memory.
   */
  dataDir?: string;
  /** The pane's URL, linked from the lab's front page (npm start passes it). */
  paneUrl?: string;
  /** The mail catcher's SMTP port on the same loopback host; 0 (the default) picks a free one. */
  smtpPort?: number;
}

export interface LabClients {
  /** The pane's SPA registration (public client, PKCE); redirect URIs: any loopback https origin + these paths. */
  spaClientId: string;
  spaRedirectPaths: string[];
  /** The backend's confidential client (on-behalf-of, validates the pane's API tokens: aud = this id). */
  backendClientId: string;
  apiScope: string;
  /** App-only registrations (client credentials for Graph or EWS full_access_as_app). */
  appOnlyClientIds: string[];
}

/** The one JSON line `npm run lab` prints when ready; also `lab.ready`. */
export interface LabReadyLine extends LabClients {
  ready: true;
  scenario: string;
  mode: "online" | "onprem";
  baseUrl: string;
  ewsUrl: string;
  autodiscoverBase: string;
  graphBase: string;
  authority: string;
  issuer: string;
  jwksUri: string;
  tokenEndpoint: string;
  domain: string;
  tenantId: string;
  caCertFile: string;
  /** Host names the product must map to the lab's address (host override), keeping TLS verification on. */
  hostOverrides: Record<string, string>;
  ewsScope: string;
  graphScope: string;
  /** The mail catcher (plain SMTP, no authentication): point SMTP_HOST/SMTP_PORT here. */
  smtpHost: string;
  smtpPort: number;
}

export interface Lab {
  readonly scenario: Scenario;
  readonly ready: LabReadyLine;
  readonly port: number;
  readonly baseUrl: string;
  readonly ewsUrl: string;
  readonly autodiscoverBase: string;
  readonly graphBase: string;
  readonly authority: string;
  readonly issuer: string;
  readonly jwksUri: string;
  readonly tokenEndpoint: string;
  readonly caCertPem: string;
  readonly caCertFile: string;
  readonly stats: LabStats;
  /** What the mail catcher received, newest first. */
  readonly mail: readonly CaughtMail[];
  readonly smtpPort: number;
  /**
   * Mints an access token as the identity provider would issue it. Delegated for `user` (scp from `scopes`, default
   * EWS.AccessAsUser.All for EWS), app-only for `appClientId` (roles from the registration unless given).
   */
  mintToken(request: MintTokenRequest): Promise<string>;
  close(): Promise<void>;
}

export interface MintTokenRequest {
  user?: string;
  appClientId?: string;
  /** Default: EWS (https://outlook.office365.com). */
  audience?: string;
  scopes?: string[];
  roles?: string[];
  lifetimeSeconds?: number;
}

const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost"]);

export function defaultCertDir(): string {
  return path.join(tmpdir(), `sync-sidebar-lab-${process.getuid?.() ?? "user"}`);
}

async function resolveScenario(input: Scenario | string | undefined): Promise<Scenario> {
  if (input === undefined) return loadScenarioFile(DEMO_SCENARIO_FILE);
  if (typeof input === "string") return loadScenarioFile(input);
  // Re-validate objects too: tests build scenarios in code and deserve the same clear messages.
  return parseScenario(input, "(object)");
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      const address = server.address();
      resolve(typeof address === "object" && address ? address.port : port);
    });
  });
}

export async function startLab(options: StartLabOptions = {}): Promise<Lab> {
  const host = options.host ?? "127.0.0.1";
  if (!LOOPBACK.has(host)) throw new Error(`the lab listens on loopback only (got host ${host})`);
  const scenario = await resolveScenario(options.scenario);
  const directory = new Directory(scenario);
  const certDir = options.dataDir ?? defaultCertDir();
  const [certs, key]: [Awaited<ReturnType<typeof ensureCertificates>>, SigningKey] = await Promise.all([
    ensureCertificates(certDir, scenario.domain),
    options.dataDir ? loadOrCreateSigningKey(path.join(options.dataDir, "signing-key.json")) : createSigningKey(),
  ]);

  const sockets = new Set<Socket>();
  let route: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) =>
    sendJson(res, 503, { error: "starting" });
  const server = createServer(
    { key: certs.serverKeyPem, cert: certs.serverCertPem, keepAliveTimeout: 30_000 },
    (req, res) => route(req, res),
  );
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  const port = await listen(server, options.port ?? 0, host);
  const mail = new MailCatcher();
  let smtpPort: number;
  try {
    smtpPort = await mail.listen(options.smtpPort ?? 0, host);
  } catch (error) {
    server.close();
    throw error;
  }

  const baseUrl = `https://localhost:${port}`;
  const issuer = `${baseUrl}/${scenario.tenantId}/v2.0`;
  const stats = new LabStats();
  const auth = new Authenticator(directory, key, issuer);
  const identity = IdentityService.create({ scenario, directory, key, issuer, stats });
  const channelBinding = scenario.ewsExtendedProtection
    ? channelBindingHash(new X509Certificate(certs.serverCertPem).raw)
    : null;
  const directoryAuth = new DirectoryAuth(scenario, directory, auth, stats, channelBinding);
  const ews = new EwsService(scenario, directory, directoryAuth, stats);
  const graph = new GraphService(scenario, directory, auth, stats);
  const ewsHost = scenario.mode === "online" ? "outlook.office365.com" : `mail.${scenario.domain}`;
  const autodiscover = new AutodiscoverService(
    scenario,
    directory,
    directoryAuth,
    stats,
    `https://${ewsHost}:${port}/EWS/Exchange.asmx`,
  );

  const ready: LabReadyLine = {
    ready: true,
    scenario: scenario.name,
    mode: scenario.mode,
    baseUrl,
    ewsUrl: `${baseUrl}/EWS/Exchange.asmx`,
    autodiscoverBase: baseUrl,
    graphBase: `${baseUrl}/v1.0`,
    authority: issuer,
    issuer,
    jwksUri: `${issuer}/discovery/keys`,
    tokenEndpoint: `${issuer}/oauth2/token`,
    domain: scenario.domain,
    tenantId: scenario.tenantId,
    caCertFile: certs.caCertFile,
    hostOverrides: Object.fromEntries(
      [...MICROSOFT_HOSTS, scenario.domain, `autodiscover.${scenario.domain}`, `mail.${scenario.domain}`].map(
        (name) => [name, host === "localhost" ? "127.0.0.1" : host],
      ),
    ),
    spaClientId: scenario.apps.spa.clientId,
    spaRedirectPaths: scenario.apps.spa.redirectPaths,
    backendClientId: scenario.apps.backend.clientId,
    apiScope: scenario.apps.backend.apiScope,
    appOnlyClientIds: scenario.apps.appOnly.map((a) => a.clientId),
    ewsScope: `${EWS_AUDIENCE}/EWS.AccessAsUser.All`,
    graphScope: `${GRAPH_AUDIENCE}/.default`,
    smtpHost: host === "localhost" ? "127.0.0.1" : host,
    smtpPort,
  };

  const endpoints = {
    baseUrl,
    productEwsUrl: `https://${ewsHost}:${port}/EWS/Exchange.asmx`,
    issuer,
    graphBase: ready.graphBase,
    paneUrl: options.paneUrl ?? null,
    smtp: `${ready.smtpHost}:${smtpPort}`,
  };

  route = (req, res) => {
    const url = req.url ?? "/";
    if ((url === "/" || url.startsWith("/?")) && (req.method === "GET" || req.method === "HEAD"))
      // Rendered per request: the control endpoint changes the scenario and mail keeps arriving.
      return sendLandingPage(res, landingPage(scenario, endpoints, { mail: mail.messages, done: doneOf(url) }));
    if (url === "/favicon.ico") return sendFavicon(res);
    const lower = url.toLowerCase();
    // Exchange serves EWS at exactly this path (IIS matches it case-insensitively): a typo is a 404, as there.
    const lowerPath = lower.split("?")[0];
    const done = (promise: Promise<void>): void => {
      promise.catch((error: unknown) => {
        if (!res.headersSent) sendJson(res, 500, { error: "lab_error", message: (error as Error).message });
        else res.destroy();
      });
    };
    if (lowerPath === "/ews/exchange.asmx") return done(ews.handle(req, res));
    if (lower.startsWith("/autodiscover/")) return done(autodiscover.handle(req, res));
    if (url.startsWith("/v1.0/")) return done(graph.handle(req, res));
    if (url.startsWith(`/${scenario.tenantId}/`)) return done(identity.handle(req, res, `/${scenario.tenantId}/v2.0`));
    const otherTenant = /^\/([^/?]+)\/v2\.0(\/|$)/.exec(url)?.[1];
    if (otherTenant !== undefined) return sendUnknownTenant(res, decodeURIComponent(otherTenant));
    if (url === "/lab/ready") return sendJson(res, 200, ready);
    if (url === "/lab/mail") return sendMail(res, mail);
    if (url === "/lab/control")
      return done(handleControl(req, res, { directory, scenario, origin: baseUrl, changed: () => auth.forget() }));
    // What the lab counted so far (requests by authentication method, NTLM handshakes, throttling), for benchmarks
    // that run it as a separate process; in-process tests read lab.stats directly.
    if (url === "/lab/stats") {
      return sendJson(res, 200, {
        ...stats.snapshot(),
        peak_in_flight: stats.peakInFlight(),
        graph_peak_in_flight: stats.graphPeakInFlight(),
      });
    }
    if (url === "/lab/ca.pem") {
      res.writeHead(200, { "content-type": "application/x-pem-file" });
      res.end(certs.caCertPem);
      return;
    }
    sendJson(res, 404, {
      error: "not_found",
      message: `the lab serves no ${req.method ?? "GET"} ${url.split("?")[0] ?? ""}`,
    });
  };

  return {
    scenario,
    ready,
    port,
    baseUrl,
    ewsUrl: ready.ewsUrl,
    autodiscoverBase: ready.autodiscoverBase,
    graphBase: ready.graphBase,
    authority: ready.authority,
    issuer,
    jwksUri: ready.jwksUri,
    tokenEndpoint: ready.tokenEndpoint,
    caCertPem: certs.caCertPem,
    caCertFile: certs.caCertFile,
    stats,
    mail: mail.messages,
    smtpPort,
    mintToken: (request) => mintFor(scenario, directory, key, issuer, request),
    close: async () => {
      await Promise.all([
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          for (const socket of sockets) socket.destroy();
        }),
        mail.close(),
      ]);
    },
  };
}

async function mintFor(
  scenario: Scenario,
  directory: Directory,
  key: SigningKey,
  issuer: string,
  request: MintTokenRequest,
): Promise<string> {
  const audience = request.audience ?? EWS_AUDIENCE;
  const lifetimeSeconds = request.lifetimeSeconds ?? scenario.tokens.accessTokenSeconds;
  if (request.user) {
    const entry = directory.find(request.user);
    if (!entry) throw new Error(`no user ${request.user} in scenario ${scenario.name}`);
    const defaultScopes =
      audience === EWS_AUDIENCE
        ? ["EWS.AccessAsUser.All"]
        : audience === scenario.apps.backend.clientId
          ? ["access_as_user"]
          : ["User.Read"];
    return mintAccessToken(key, {
      issuer,
      tenantId: scenario.tenantId,
      audience,
      clientId: scenario.apps.backend.clientId,
      lifetimeSeconds,
      user: { oid: entry.oid, email: entry.email, name: entry.displayName },
      scp: (request.scopes ?? defaultScopes).join(" "),
    });
  }
  const clientId = request.appClientId ?? scenario.apps.appOnly[0]?.clientId;
  const app = clientId ? directory.appsByClientId.get(clientId) : undefined;
  if (!app) throw new Error(`mintToken needs a user or an app-only registration of scenario ${scenario.name}`);
  return mintAccessToken(key, {
    issuer,
    tenantId: scenario.tenantId,
    audience,
    clientId: app.clientId,
    lifetimeSeconds,
    roles: request.roles ?? app.roles[audience] ?? [],
  });
}
