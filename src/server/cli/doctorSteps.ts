/**
 * The doctor's steps: each checks one part of a deployment the way the server uses it (the same configuration
 * loader, database code, keyring, outbound client and URL guard) and answers ok, failed with the fix, skipped when
 * an earlier step it needs failed, or not configured. Nothing is changed: the secrets probe runs in a transaction
 * that is rolled back.
 */
import { existsSync, readFileSync } from "node:fs";
import { connect as connectTcp, type Socket } from "node:net";
import { hostname as machineName } from "node:os";
import path from "node:path";
import { connect as connectTls } from "node:tls";
import { isGuid } from "../../contract/identifiers.js";
import { ConfigError, loadConfig, type ServerConfig } from "../config.js";
import { isPostgresUrl, openDatabase, type Database } from "../db/database.js";
import { pendingMigrations, resealers } from "../domains.js";
import { createOutboundClient, OutboundBlockedError, type OutboundClient } from "../net/outbound.js";
import { checkAddress } from "../net/urlGuard.js";
import { Keyring, parseKey } from "../secrets/keyring.js";

export type StepStatus = "ok" | "failed" | "skipped" | "not configured";

export interface StepResult {
  step: string;
  status: StepStatus;
  detail: string;
  fix?: string;
}

export interface DoctorOptions {
  /** The built pane when STATIC_DIR is not set (what `npm run serve` serves). */
  paneFolder: string;
  /** Per-probe network timeout (SMTP). */
  timeoutMs?: number;
}

const ok = (step: string, detail: string): StepResult => ({ step, status: "ok", detail });
const failed = (step: string, detail: string, fix: string): StepResult => ({ step, status: "failed", detail, fix });
const skipped = (step: string, detail: string): StepResult => ({ step, status: "skipped", detail });

/** Runs every step in order; a step whose input failed earlier is skipped rather than failing twice. */
export async function runDoctorSteps(env: Record<string, string | undefined>, options: DoctorOptions) {
  const results: StepResult[] = [];
  let config: ServerConfig;
  try {
    config = loadConfig(env);
    results.push(
      ok(
        "environment",
        `${config.environment}; ${config.token.issuers.length} token issuer(s); database ${isPostgresUrl(config.databaseUrl) ? "PostgreSQL" : "SQLite"}`,
      ),
    );
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    results.push(
      failed("environment", error.message, `Set ${error.variable} as the message says (README, "Backend").`),
    );
    for (const step of ["database", "secrets", "token issuer", "audience", "pane", "allowed origins", "smtp"]) {
      results.push(skipped(step, "needs a valid environment"));
    }
    results.push(skipped("outbound guard", "needs a valid environment"));
    return results;
  }

  const database = await databaseStep(config, results);
  let outbound: OutboundClient | null = null;
  let outboundProblem = "";
  try {
    outbound = createOutboundClient(config.outbound);
  } catch (error) {
    outboundProblem = (error as Error).message;
  }
  try {
    await secretsStep(config, database, results);
    for (const issuer of config.token.issuers) {
      results.push(
        outbound
          ? await issuerStep(config, issuer, outbound)
          : skipped("token issuer", `${issuer}: the outbound client did not start: ${outboundProblem}`),
      );
    }
    results.push(audienceStep(config));
    const pane = paneStep(config, env, options.paneFolder);
    results.push(pane.result);
    results.push(originsStep(config, pane.origin));
    results.push(await smtpStep(env, options.timeoutMs ?? 10_000));
    results.push(guardStep(config));
  } finally {
    await outbound?.close();
    await database?.close();
  }
  return results;
}

async function databaseStep(config: ServerConfig, results: StepResult[]): Promise<Database | null> {
  const step = "database";
  const postgres = isPostgresUrl(config.databaseUrl);
  const where = postgres ? "PostgreSQL at DATABASE_URL" : path.resolve(config.databaseUrl);
  // Opening a missing SQLite file would create an empty one: report it instead.
  if (!postgres && config.databaseUrl !== ":memory:" && !existsSync(where)) {
    results.push(
      failed(
        step,
        `no database file at ${where}`,
        "Check DATABASE_URL (a file path or postgres://…); npm run serve creates and migrates it at its first start.",
      ),
    );
    return null;
  }
  let database: Database;
  try {
    database = await openDatabase(config.databaseUrl);
  } catch (error) {
    results.push(failed(step, `cannot open ${where}: ${(error as Error).message}`, "Check DATABASE_URL."));
    return null;
  }
  if (!(await database.ping())) {
    await database.close();
    results.push(
      failed(step, `${where} does not answer`, "Check DATABASE_URL, the network path and the database's credentials."),
    );
    return null;
  }
  const pending = await pendingMigrations(database.db).catch((error: unknown) => error as Error);
  if (pending instanceof Error) {
    results.push(failed(step, `migrations could not be read: ${pending.message}`, "Check DATABASE_URL."));
    return database;
  }
  if (pending.length > 0) {
    results.push(
      failed(
        step,
        `${where} answers but lacks migration(s) ${pending.join(", ")}`,
        "Start npm run serve once (it applies migrations at start-up), or check that DATABASE_URL names this product's database.",
      ),
    );
    return database;
  }
  results.push(ok(step, `${where} answers; every migration is applied`));
  return database;
}

async function secretsStep(config: ServerConfig, database: Database | null, results: StepResult[]): Promise<void> {
  const step = "secrets";
  let keyring: Keyring;
  try {
    keyring = new Keyring(config.secrets.keys.map(parseKey));
  } catch (error) {
    results.push(
      failed(
        step,
        `SECRETS_KEYS: ${(error as Error).message}`,
        "SECRETS_KEYS holds id:base64 entries of 32 random bytes each (openssl rand -base64 32), the active key first.",
      ),
    );
    return;
  }
  const keys = `key(s) ${keyring.keys.map((k) => k.id).join(", ")} (active ${keyring.activeKeyId})`;
  if (!database) {
    results.push(skipped(step, `${keys} parse; stored secrets not checked without the database`));
    return;
  }
  // Every stored envelope is opened with the configured keys exactly as the server would, and nothing is written:
  // no write lock is taken, so the doctor can run beside a serving backend (or another doctor) on the same file.
  let opened = 0;
  try {
    for (const resealer of resealers) opened += await resealer.verify(database.db, keyring);
  } catch (error) {
    results.push(
      failed(
        step,
        `${keys}; a stored secret does not open: ${(error as Error).message}`,
        "SECRETS_KEYS must still list every key that sealed a stored secret: put the retired key back (after the " +
          "active one), run npm run secrets:rotate, then remove it; or re-enter the secret in Email Configuration.",
      ),
    );
    return;
  }
  results.push(ok(step, `${keys}; ${opened} stored secret(s) open`));
}

function describeFetchError(error: unknown): string {
  if (error instanceof OutboundBlockedError) return error.message;
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (cause instanceof OutboundBlockedError) return cause.message;
  return [(error as Error).message, cause?.code, cause?.message].filter(Boolean).join(": ");
}

const FETCH_FIX =
  "Check the URL; a host on a private network needs OUTBOUND_ALLOWED_HOSTS (or OUTBOUND_ALLOW_PRIVATE), a private " +
  "CA needs OUTBOUND_CA_FILE.";

async function fetchJson(outbound: OutboundClient, url: string): Promise<unknown> {
  const response = await outbound.fetch(url, { headers: { accept: "application/json" } });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return response.json();
}

function keyFitsAlgorithms(key: Record<string, unknown>, algorithms: readonly string[]): boolean {
  if (key.use === "enc") return false;
  if (typeof key.alg === "string") return algorithms.includes(key.alg);
  if (key.kty === "RSA") return algorithms.some((alg) => /^(RS|PS)/.test(alg));
  if (key.kty === "EC") return algorithms.some((alg) => alg.startsWith("ES"));
  return false;
}

async function issuerStep(config: ServerConfig, issuer: string, outbound: OutboundClient): Promise<StepResult> {
  const step = "token issuer";
  const template = /\{tenantid\}/i.test(issuer);
  // The verifier discovers a template's keys at the "common" tenant; so does the doctor.
  const discoveryUrl = `${issuer.replace(/\{tenantid\}/gi, "common").replace(/\/$/, "")}/.well-known/openid-configuration`;
  let document: { issuer?: unknown; jwks_uri?: unknown };
  try {
    document = (await fetchJson(outbound, discoveryUrl)) as typeof document;
  } catch (error) {
    return failed(step, `${issuer}: OIDC discovery ${discoveryUrl} failed: ${describeFetchError(error)}`, FETCH_FIX);
  }
  if (typeof document.issuer !== "string" || typeof document.jwks_uri !== "string") {
    return failed(step, `${issuer}: ${discoveryUrl} is not an OIDC discovery document`, "Check TOKEN_ISSUERS.");
  }
  if (template) {
    if (document.issuer.toLowerCase() !== issuer.toLowerCase()) {
      return failed(
        step,
        `${issuer}: a {tenantid} template, but discovery names the issuer ${document.issuer}`,
        "Use the template only with Entra ID's multi-tenant issuer (https://login.microsoftonline.com/{tenantid}/v2.0); " +
          "otherwise set TOKEN_ISSUERS to the tenant's own issuer.",
      );
    }
  } else if (document.issuer !== issuer) {
    return failed(
      step,
      `${issuer}: discovery names the issuer ${document.issuer}, so tokens carrying it would be refused`,
      `Set TOKEN_ISSUERS to ${document.issuer} (exactly, including the trailing part such as /v2.0).`,
    );
  }
  const jwksUri = config.token.jwksUri ?? document.jwks_uri;
  if (config.token.jwksUri && config.token.jwksUri !== document.jwks_uri) {
    return failed(
      step,
      `${issuer}: TOKEN_JWKS_URI is ${config.token.jwksUri} but the issuer publishes its keys at ${document.jwks_uri}`,
      "Remove TOKEN_JWKS_URI (discovery finds the keys) or set it to the issuer's jwks_uri.",
    );
  }
  let jwks: { keys?: unknown };
  try {
    jwks = (await fetchJson(outbound, jwksUri)) as typeof jwks;
  } catch (error) {
    return failed(step, `${issuer}: JWKS ${jwksUri} failed: ${describeFetchError(error)}`, FETCH_FIX);
  }
  const keys = Array.isArray(jwks.keys) ? (jwks.keys as Array<Record<string, unknown>>) : [];
  const usable = keys.filter((key) => keyFitsAlgorithms(key, config.token.algorithms));
  if (usable.length === 0) {
    return failed(
      step,
      `${issuer}: JWKS ${jwksUri} holds ${keys.length} key(s), none signing with ${config.token.algorithms.join(", ")}`,
      "Check TOKEN_ALGORITHMS and TOKEN_JWKS_URI.",
    );
  }
  return ok(
    step,
    `${issuer}: discovery and JWKS answer (${usable.length} signing key(s)); signed by ${document.issuer}`,
  );
}

function audienceStep(config: ServerConfig): StepResult {
  const step = "audience";
  const audiences = config.token.audience;
  const misshaped = audiences.filter((aud) => !isGuid(aud) && !/^api:\/\/[^\s/]+(\/[^\s]*)?$/.test(aud));
  if (misshaped.length > 0) {
    return failed(
      step,
      `TOKEN_AUDIENCE ${misshaped.map((aud) => `"${aud}"`).join(", ")} is neither an application (client) id nor an api:// URI`,
      "Set TOKEN_AUDIENCE to the backend API registration's application (client) id (v2 tokens carry it as aud).",
    );
  }
  const backendId = config.exchange.backendClient?.clientId;
  const ids = audiences.filter((aud) => isGuid(aud)).map((aud) => aud.toLowerCase());
  if (backendId && ids.length > 0 && !ids.includes(backendId.toLowerCase())) {
    return failed(
      step,
      `TOKEN_AUDIENCE (${ids.join(", ")}) does not name BACKEND_CLIENT_ID ${backendId}`,
      "The backend API registration both receives the pane's tokens and exchanges them: use its client id for both.",
    );
  }
  const scopeIds = (config.clientAuth?.apiScopes ?? [])
    .map((scope) => /^api:\/\/([0-9a-f-]{36})\//i.exec(scope)?.[1]?.toLowerCase())
    .filter((id): id is string => id !== undefined);
  const foreign = scopeIds.filter((id) => ids.length > 0 && !ids.includes(id));
  if (foreign.length > 0) {
    return failed(
      step,
      `AUTH_API_SCOPES asks for tokens of ${foreign.join(", ")}, which TOKEN_AUDIENCE does not accept`,
      "Set AUTH_API_SCOPES to api://<TOKEN_AUDIENCE>/access_as_user.",
    );
  }
  return ok(step, `TOKEN_AUDIENCE ${audiences.join(", ")}`);
}

interface PaneCheck {
  origin: string | null;
  result: StepResult;
}

function paneStep(config: ServerConfig, env: Record<string, string | undefined>, fallbackFolder: string): PaneCheck {
  const step = "pane";
  const folder = path.resolve(config.staticDir ?? fallbackFolder);
  const expectedBase = env.ADDIN_BASE_URL?.trim().replace(/\/+$/, "") || null;
  const missing = ["taskpane.html", "auth.html", "manifest.xml"].filter((file) => !existsSync(path.join(folder, file)));
  const originOf = (url: string | null) => (url ? new URL(url).origin : null);
  if (missing.length > 0) {
    return {
      origin: originOf(expectedBase),
      result: failed(
        step,
        `${folder} lacks ${missing.join(", ")}`,
        "Run ADDIN_BASE_URL=https://<pane host> npm run build, or set STATIC_DIR to the built pane folder.",
      ),
    };
  }
  const manifest = readFileSync(path.join(folder, "manifest.xml"), "utf8");
  const source = /<SourceLocation DefaultValue="([^"]+)"/.exec(manifest)?.[1];
  if (!source || !/^https:\/\//.test(source)) {
    return {
      origin: originOf(expectedBase),
      result: failed(step, "manifest.xml names no https SourceLocation", "Rebuild with npm run build."),
    };
  }
  const sourceBase = source.replace(/\/taskpane\.html$/, "");
  const origin = new URL(source).origin;
  if (expectedBase && sourceBase !== expectedBase) {
    return {
      origin: originOf(expectedBase),
      result: failed(
        step,
        `manifest.xml was built for ${sourceBase}, ADDIN_BASE_URL says ${expectedBase}`,
        "Rebuild with the ADDIN_BASE_URL the pane is served at.",
      ),
    };
  }
  const urls = [...manifest.matchAll(/DefaultValue="(https?:\/\/[^"]+)"/g)].map((match) => match[1]!);
  const offOrigin = urls.filter((url) => !url.startsWith(`${sourceBase}/`));
  if (offOrigin.length > 0) {
    return {
      origin,
      result: failed(
        step,
        `manifest.xml points outside ${sourceBase}: ${[...new Set(offOrigin)].join(", ")}`,
        "Rebuild with npm run build (it stamps every URL with ADDIN_BASE_URL).",
      ),
    };
  }
  const absent = [...new Set(urls)]
    .map((url) => url.slice(sourceBase.length + 1).split(/[?#]/)[0]!)
    .filter((file) => !existsSync(path.join(folder, file)));
  if (absent.length > 0) {
    return {
      origin,
      result: failed(step, `manifest.xml names files ${folder} lacks: ${absent.join(", ")}`, "Rebuild the pane."),
    };
  }
  return {
    origin,
    result: ok(step, `${folder} holds the pane; manifest.xml's ${urls.length} URLs are on ${sourceBase}`),
  };
}

function originsStep(config: ServerConfig, paneOrigin: string | null): StepResult {
  const step = "allowed origins";
  if (!paneOrigin) return skipped(step, "the pane's origin is unknown (see the pane step)");
  if (!config.allowedOrigins.includes(paneOrigin)) {
    return failed(
      step,
      `ALLOWED_ORIGINS (${config.allowedOrigins.join(", ") || "empty"}) lacks the pane's origin ${paneOrigin}`,
      `Add ${paneOrigin} to ALLOWED_ORIGINS.`,
    );
  }
  return ok(step, `ALLOWED_ORIGINS includes the pane's origin ${paneOrigin}`);
}

/** Reads one SMTP reply (the last line of a multi-line reply has a space after its code). */
function smtpReply(socket: Socket, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffer = "";
    const timer = setTimeout(() => done(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString("latin1");
      const lines = buffer.split("\r\n").filter(Boolean);
      const last = lines.at(-1);
      if (buffer.endsWith("\r\n") && last && /^\d{3} /.test(last)) done(null, buffer);
    };
    const onError = (error: Error) => done(error);
    const onClose = () => done(new Error("the server closed the connection"));
    function done(error: Error | null, reply?: string) {
      clearTimeout(timer);
      socket.off("data", onData).off("error", onError).off("close", onClose);
      if (error) reject(error);
      else resolve(reply!);
    }
    socket.on("data", onData).on("error", onError).on("close", onClose);
  });
}

async function smtpStep(env: Record<string, string | undefined>, timeoutMs: number): Promise<StepResult> {
  const step = "smtp";
  const host = env.SMTP_HOST?.trim();
  if (!host) return { step, status: "not configured", detail: "SMTP_HOST is not set (the product sends no mail yet)" };
  const port = Number(env.SMTP_PORT ?? "587");
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    return failed(step, `SMTP_PORT "${env.SMTP_PORT}" is not a port`, "Set SMTP_PORT to 587, 465 or 25.");
  }
  // 465 speaks TLS from the first byte; 587 and 25 greet in plain text (STARTTLS follows EHLO).
  const socket =
    port === 465 ? connectTls({ host, port, servername: host }) : connectTcp({ host, port, timeout: timeoutMs });
  try {
    const greeting = await smtpReply(socket, timeoutMs);
    if (!greeting.startsWith("220")) throw new Error(`greeting was "${greeting.trim().slice(0, 120)}"`);
    socket.write(`EHLO ${machineName() || "sync-sidebar"}\r\n`);
    const ehlo = await smtpReply(socket, timeoutMs);
    if (!ehlo.startsWith("250")) throw new Error(`EHLO answered "${ehlo.trim().slice(0, 120)}"`);
    socket.write("QUIT\r\n");
    return ok(step, `${host}:${port} greets and accepts EHLO`);
  } catch (error) {
    return failed(step, `${host}:${port}: ${(error as Error).message}`, "Check SMTP_HOST, SMTP_PORT and the firewall.");
  } finally {
    socket.destroy();
  }
}

function guardStep(config: ServerConfig): StepResult {
  const step = "outbound guard";
  const policy = config.outbound;
  if (config.environment !== "production") {
    return failed(
      step,
      `NODE_ENV is ${config.environment}: the server would allow loopback addresses`,
      "Run the server with npm run serve (NODE_ENV=production).",
    );
  }
  const broad = policy.allowPrivateCidrs.filter((cidr) => {
    const prefix = Number(cidr.split("/")[1]);
    return cidr.includes(":") ? prefix < 7 : prefix < 8;
  });
  if (broad.length > 0) {
    return failed(
      step,
      `OUTBOUND_ALLOW_PRIVATE ${broad.join(", ")} opens far more than one network`,
      "List only the networks of the on-premises Exchange servers (e.g. 10.20.30.0/24), or name them in OUTBOUND_ALLOWED_HOSTS.",
    );
  }
  const metadata = checkAddress("169.254.169.254", "metadata.doctor.invalid", policy);
  if (metadata.ok) {
    return failed(
      step,
      "the cloud metadata address is reachable",
      "Remove 169.254.0.0/16 from OUTBOUND_ALLOW_PRIVATE.",
    );
  }
  if (
    policy.caFile &&
    !(existsSync(policy.caFile) && /-----BEGIN CERTIFICATE-----/.test(readFileSync(policy.caFile, "utf8")))
  ) {
    return failed(step, `OUTBOUND_CA_FILE ${policy.caFile} holds no PEM certificate`, "Point it at a PEM CA file.");
  }
  const exceptions = [
    policy.allowPrivateCidrs.length > 0 ? `OUTBOUND_ALLOW_PRIVATE ${policy.allowPrivateCidrs.join(", ")}` : null,
    policy.allowedHosts.length > 0 ? `OUTBOUND_ALLOWED_HOSTS ${policy.allowedHosts.join(", ")}` : null,
    policy.caFile ? `extra CA ${policy.caFile}` : null,
  ].filter(Boolean);
  return ok(
    step,
    "https only, no credentials in URLs, private/loopback/link-local refused, metadata always refused" +
      (exceptions.length > 0 ? `; exceptions: ${exceptions.join("; ")}` : "; no exceptions"),
  );
}
