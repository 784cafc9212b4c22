/**
 * Server configuration from the environment, validated once at start-up. A wrong or missing variable stops the
 * server with a message that names the variable and the rule it broke.
 */
import { Type, type Static } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import { readFileSync } from "node:fs";
import path from "node:path";
import { isIP } from "node:net";
import { hostname } from "node:os";
import type { EmailConfigInput } from "../contract/api.js";
import { displayNameProblem } from "../contract/displayName.js";
import { isEmailAddress } from "../contract/emailAddress.js";
import { isGuid } from "../contract/identifiers.js";

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

/** Raw environment variables the server reads; every one is a string as the shell gives it. */
const EnvSchema = Type.Object({
  NODE_ENV: Type.Optional(Type.Union([Type.Literal("production"), Type.Literal("development"), Type.Literal("test")])),
  PORT: Type.Optional(Type.String({ pattern: "^[0-9]{1,5}$" })),
  HOST: Type.Optional(Type.String({ minLength: 1 })),
  PROCESS_NAME: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  DATABASE_URL: Type.Optional(Type.String({ minLength: 1 })),
  ALLOWED_ORIGINS: Type.Optional(Type.String()),
  TOKEN_ISSUERS: Type.Optional(Type.String()),
  TOKEN_AUDIENCE: Type.Optional(Type.String()),
  TOKEN_JWKS_URI: Type.Optional(Type.String()),
  TOKEN_ALGORITHMS: Type.Optional(Type.String()),
  SECRETS_KEYS: Type.Optional(Type.String()),
  SECRETS_KEY: Type.Optional(Type.String()),
  SECRETS_KEY_FILE: Type.Optional(Type.String()),
  LOG_LEVEL: Type.Optional(Type.Union(LOG_LEVELS.map((level) => Type.Literal(level)))),
  BODY_LIMIT_BYTES: Type.Optional(Type.String({ pattern: "^[0-9]+$" })),
  IMPORT_BODY_LIMIT_BYTES: Type.Optional(Type.String({ pattern: "^[0-9]+$" })),
  RATE_LIMIT_MAX: Type.Optional(Type.String({ pattern: "^[0-9]+$" })),
  RATE_LIMIT_WINDOW_MS: Type.Optional(Type.String({ pattern: "^[0-9]+$" })),
  AUTH_FAILURE_LIMIT_MAX: Type.Optional(Type.String({ pattern: "^[0-9]+$" })),
  TRUST_PROXY: Type.Optional(Type.String()),
  OUTBOUND_ALLOW_PRIVATE: Type.Optional(Type.String()),
  OUTBOUND_ALLOWED_HOSTS: Type.Optional(Type.String()),
  OUTBOUND_HOST_OVERRIDES: Type.Optional(Type.String()),
  OUTBOUND_CA_FILE: Type.Optional(Type.String()),
  OUTBOUND_TIMEOUT_MS: Type.Optional(Type.String({ pattern: "^[0-9]+$" })),
  BOOTSTRAP_ADMIN: Type.Optional(Type.String()),
  BOOTSTRAP_ORG_NAME: Type.Optional(Type.String()),
  BOOTSTRAP_TENANT_ID: Type.Optional(Type.String()),
  BOOTSTRAP_USERS_FILE: Type.Optional(Type.String({ minLength: 1 })),
  BOOTSTRAP_CANARIES: Type.Optional(Type.String()),
  BOOTSTRAP_PROFILES_FILE: Type.Optional(Type.String({ minLength: 1 })),
  AUTH_AUTHORITY: Type.Optional(Type.String()),
  AUTH_CLIENT_ID: Type.Optional(Type.String()),
  AUTH_KNOWN_AUTHORITIES: Type.Optional(Type.String()),
  AUTH_API_SCOPES: Type.Optional(Type.String()),
  AUTH_PROTOCOL_MODE: Type.Optional(Type.Union([Type.Literal("oidc"), Type.Literal("aad")])),
  AUTH_SERVICE_ACCOUNT_SCOPES: Type.Optional(Type.String()),
  STATIC_DIR: Type.Optional(Type.String()),
  EXCHANGE_AUTHORITY: Type.Optional(Type.String()),
  EXCHANGE_KNOWN_AUTHORITIES: Type.Optional(Type.String()),
  EXCHANGE_PROTOCOL_MODE: Type.Optional(Type.Union([Type.Literal("aad"), Type.Literal("oidc")])),
  BACKEND_CLIENT_ID: Type.Optional(Type.String()),
  // Never given a pattern: a schema failure would echo the value into the error message.
  BACKEND_CLIENT_SECRET: Type.Optional(Type.String()),
  GRAPH_BASE_URL: Type.Optional(Type.String()),
  EXCHANGE_EWS_SCOPE: Type.Optional(Type.String()),
  GRAPH_SCOPE: Type.Optional(Type.String()),
  // Ranges are checked below, so the message names the allowed range rather than a pattern.
  CHECK_CONCURRENCY: Type.Optional(Type.String()),
  CHECK_MAX_CONCURRENCY: Type.Optional(Type.String()),
  CHECK_MAX_ATTEMPTS: Type.Optional(Type.String()),
  CHECK_REQUEST_TIMEOUT_MS: Type.Optional(Type.String()),
  CHECK_RETRY_BASE_MS: Type.Optional(Type.String()),
  CHECK_DEFAULT_BACKOFF_MS: Type.Optional(Type.String()),
  CHECK_PAGE_SIZE: Type.Optional(Type.String()),
  CHECK_MAX_THROTTLED_WAIT_MS: Type.Optional(Type.String()),
  CHECK_CHUNK_USERS: Type.Optional(Type.String()),
  CHECK_CHUNK_WORKERS: Type.Optional(Type.String()),
  CHECK_CHUNK_EXPIRE_SECONDS: Type.Optional(Type.String()),
  MONITORING_TIME_ZONE: Type.Optional(Type.String()),
  PANE_URL: Type.Optional(Type.String()),
  MONITORING_TICK_MS: Type.Optional(Type.String()),
  SMTP_HOST: Type.Optional(Type.String()),
  SMTP_PORT: Type.Optional(Type.String()),
  SMTP_SECURE: Type.Optional(Type.String()),
  SMTP_USER: Type.Optional(Type.String()),
  // Never given a pattern: a schema failure would echo the value into the error message.
  SMTP_PASSWORD: Type.Optional(Type.String()),
  SMTP_FROM: Type.Optional(Type.String()),
  WEBHOOK_MAX_ATTEMPTS: Type.Optional(Type.String()),
  WEBHOOK_RETRY_BASE_MS: Type.Optional(Type.String()),
  ALERT_TEST_SENDS_MAX: Type.Optional(Type.String()),
  ALERT_TEST_SENDS_WINDOW_MS: Type.Optional(Type.String()),
  ALERT_MAIL_DAILY_CAP: Type.Optional(Type.String()),
  HEALTH_DETAILS: Type.Optional(Type.Union([Type.Literal("true"), Type.Literal("false")])),
});
export type ServerEnv = Static<typeof EnvSchema>;

export type LogLevel = (typeof LOG_LEVELS)[number];

export interface HostOverride {
  address: string;
  port: number | null;
}

export interface OutboundConfig {
  /** CIDR ranges a deployment explicitly allows although they are private, loopback or link-local. */
  allowPrivateCidrs: string[];
  /** Host names allowed to resolve to private addresses (on-premises Exchange, the lab). */
  allowedHosts: string[];
  /** Lab/test only: connect to another address for a host name, keeping TLS verification against the name. */
  hostOverrides: Record<string, HostOverride>;
  caFile: string | null;
  timeoutMs: number;
}

export interface ClientAuthConfig {
  authority: string;
  clientId: string;
  knownAuthorities: string[];
  apiScopes: string[];
  protocolMode: "oidc" | "aad";
  serviceAccountScopes: string[];
}

/** How the mailbox drivers reach the identity provider (Microsoft Entra ID by default, the lab in development). */
export interface ExchangeConfig {
  /** Authority template; "{tenantid}" becomes the organization's tenant ("organizations" when it has none). */
  authority: string;
  /** Hosts msal-node may trust without instance discovery (the lab's host:port). */
  knownAuthorities: string[];
  protocolMode: "aad" | "oidc";
  /** The backend's confidential client (on-behalf-of sign-in of the EWS OAuth service account). */
  backendClient: { clientId: string; clientSecret: string } | null;
  /** Overrides of the drivers' defaults (Graph root, EWS delegated scope, Graph app-only scope); null keeps them. */
  graphBaseUrl: string | null;
  ewsScope: string | null;
  graphScope: string | null;
}

/** The check runner's limits. */
export interface ChecksConfig {
  defaultConcurrency: number;
  /** The server's budget per run (EWSMaxConcurrency is 27). */
  maxConcurrency: number;
  maxAttempts: number;
  requestTimeoutMs: number;
  retryBaseMs: number;
  defaultBackOffMs: number;
  pageSize: number;
  /** A run whose server pauses add up to more than this ends `throttled`. */
  maxThrottledWaitMs: number;
  /** PostgreSQL: how a run is cut into pg-boss jobs that every backend process works. */
  queue: CheckQueueConfig;
}

export interface CheckQueueConfig {
  /** Users per chunk job (CHECK_CHUNK_USERS). */
  chunkUsers: number;
  /**
   * Chunk jobs one process works at once, at most one per run (CHECK_CHUNK_WORKERS): only a CPU cap, since a chunk
   * waits on its own service account's budget, never on another's; the cluster's throughput follows the sum of the
   * budgets of the runs in progress up to processes × this.
   */
  workersPerProcess: number;
  /** A chunk job active this long is retried elsewhere, whatever its process says (CHECK_CHUNK_EXPIRE_SECONDS). */
  expireSeconds: number;
}

/** Where alert email goes out: an SMTP relay (nodemailer); null when SMTP_HOST is unset. */
export interface SmtpConfig {
  host: string;
  port: number;
  /** Implicit TLS (port 465); otherwise STARTTLS when the server offers it. */
  secure: boolean;
  auth: { user: string; pass: string } | null;
  from: string;
}

export interface MonitoringConfig {
  /** The time zone a new daily schedule uses until an admin picks one. */
  timeZone: string;
  /** How often the scheduler looks for due slots; 0 turns the timer off (tests drive it by hand). */
  tickMs: number;
  smtp: SmtpConfig | null;
  webhook: { maxAttempts: number; retryBaseMs: number };
  /** Test messages an organization may send per window (ALERT_TEST_SENDS_MAX per ALERT_TEST_SENDS_WINDOW_MS). */
  testSends: { max: number; windowMs: number };
  /** Alert and test mails one organization may send per UTC day (ALERT_MAIL_DAILY_CAP); past it, none go out. */
  mailDailyCap: number;
  /** Where admins open the pane (PANE_URL): alert email links to its Health tab. */
  paneUrl: string | null;
}

export interface ServerConfig {
  environment: "production" | "development" | "test";
  /** This backend process among the others on one database (PROCESS_NAME, else hostname:pid). */
  processName: string;
  /** Whether the unauthenticated /api/health names the process and its runs (HEALTH_DETAILS; off in production). */
  healthDetails: boolean;
  port: number;
  host: string;
  databaseUrl: string;
  allowedOrigins: string[];
  token: {
    /** Exact issuers, or templates with "{tenantid}" matched against the token's tid claim. */
    issuers: string[];
    audience: string[];
    /** Explicit JWKS URL for every issuer; when null each issuer's OIDC discovery document names it. */
    jwksUri: string | null;
    algorithms: string[];
  };
  secrets: {
    /** "id:base64key" entries; the first encrypts, the others only decrypt (during a rotation). */
    keys: string[];
    /** Development only: where a generated key is kept when no key is configured. */
    keyFile: string;
  };
  logLevel: LogLevel;
  bodyLimitBytes: number;
  importBodyLimitBytes: number;
  /** Per signed-in user per window; authFailureMax: requests without a valid token per client address. */
  rateLimit: { max: number; windowMs: number; authFailureMax: number };
  /** Which peers may set X-Forwarded-For (Fastify trustProxy): none, a hop count, or addresses/CIDRs. */
  trustProxy: false | number | string[];
  outbound: OutboundConfig;
  bootstrap: {
    adminEmail: string;
    orgName: string;
    tenantId: string | null;
    /** CSV (email, displayName, role) of users added to the bootstrap organization once (the demo's users). */
    usersCsv: string | null;
    /** Canary mailboxes (outside the scope on purpose) named once for the bootstrap organization (the demo's). */
    canaries: string[];
    /** Connection profiles and placement the bootstrap organization starts with, once (the hybrid demo's). */
    profiles: BootstrapProfiles | null;
  } | null;
  clientAuth: ClientAuthConfig | null;
  staticDir: string | null;
  exchange: ExchangeConfig;
  checks: ChecksConfig;
  monitoring: MonitoringConfig;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    rule: string,
  ) {
    super(`Invalid configuration: ${variable} ${rule}`);
    this.name = "ConfigError";
  }
}

const DEFAULT_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"];

function list(value: string | undefined): string[] {
  return (value ?? "")
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

function integer(value: string | undefined, fallback: number, variable: string, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined || value === "") return fallback;
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed < 1 || parsed > max) {
    throw new ConfigError(variable, `must be a whole number between 1 and ${max}`);
  }
  return parsed;
}

function wholeWithin(value: string | undefined, fallback: number, variable: string, min: number, max: number): number {
  if (value === undefined || value === "") return fallback;
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
    throw new ConfigError(variable, `must be a whole number between ${min} and ${max} (got "${value}")`);
  }
  return parsed;
}

/** TRUST_PROXY: unset or "false" (the peer is the client), a hop count, or proxy addresses/CIDRs (or loopback…). */
function parseTrustProxy(value: string | undefined): false | number | string[] {
  if (value === undefined || value.trim() === "" || value.trim() === "false") return false;
  if (/^[0-9]+$/.test(value.trim())) return integer(value.trim(), 1, "TRUST_PROXY", 10);
  const entries = list(value);
  for (const entry of entries) {
    const [address = "", prefix] = entry.split("/");
    const named = ["loopback", "linklocal", "uniquelocal"].includes(entry);
    if (!named && (isIP(address) === 0 || (prefix !== undefined && !/^[0-9]{1,3}$/.test(prefix)))) {
      throw new ConfigError(
        "TRUST_PROXY",
        `must be a hop count or proxy addresses/CIDRs (loopback, linklocal, uniquelocal allowed); trusting every ` +
          `peer would let any client pick its own address (got "${entry}")`,
      );
    }
  }
  return entries;
}

function httpsUrl(value: string, variable: string, environment: string): string {
  let parsed: URL;
  try {
    parsed = new URL(value.replace(/\{tenantid\}/gi, "common"));
  } catch {
    throw new ConfigError(variable, `must hold absolute URLs (got "${value}")`);
  }
  if (parsed.protocol !== "https:" && environment === "production") {
    throw new ConfigError(variable, `must use https in production (got "${value}")`);
  }
  return value;
}

function parseHostOverrides(value: string | undefined, environment: string): Record<string, HostOverride> {
  const overrides: Record<string, HostOverride> = {};
  const entries = list(value);
  if (entries.length > 0 && environment === "production") {
    throw new ConfigError("OUTBOUND_HOST_OVERRIDES", "is for the lab and tests only and must not be set in production");
  }
  for (const entry of entries) {
    const match = /^([a-z0-9.-]+)=(\[[0-9a-f:.]+\]|[0-9.]+)(?::([0-9]{1,5}))?$/i.exec(entry);
    if (!match?.[1] || !match[2]) {
      throw new ConfigError("OUTBOUND_HOST_OVERRIDES", `entries must look like host=address[:port] (got "${entry}")`);
    }
    overrides[match[1].toLowerCase()] = {
      address: match[2].replace(/^\[|\]$/g, ""),
      port: match[3] === undefined ? null : Number(match[3]),
    };
  }
  return overrides;
}

function parseClientAuth(env: ServerEnv): ClientAuthConfig | null {
  if (!env.AUTH_AUTHORITY && !env.AUTH_CLIENT_ID) return null;
  if (!env.AUTH_AUTHORITY) throw new ConfigError("AUTH_AUTHORITY", "is required when AUTH_CLIENT_ID is set");
  if (!env.AUTH_CLIENT_ID) throw new ConfigError("AUTH_CLIENT_ID", "is required when AUTH_AUTHORITY is set");
  const authority = httpsUrl(env.AUTH_AUTHORITY, "AUTH_AUTHORITY", "production");
  const protocolMode = env.AUTH_PROTOCOL_MODE ?? (authority.includes("login.microsoftonline.com") ? "aad" : "oidc");
  return {
    authority,
    clientId: env.AUTH_CLIENT_ID,
    knownAuthorities: list(env.AUTH_KNOWN_AUTHORITIES),
    apiScopes: list(env.AUTH_API_SCOPES),
    protocolMode,
    serviceAccountScopes: env.AUTH_SERVICE_ACCOUNT_SCOPES
      ? list(env.AUTH_SERVICE_ACCOUNT_SCOPES)
      : ["https://outlook.office365.com/EWS.AccessAsUser.All", "offline_access"],
  };
}

function parseExchange(env: ServerEnv, environment: string): ExchangeConfig {
  const authority = httpsUrl(
    env.EXCHANGE_AUTHORITY ?? "https://login.microsoftonline.com/{tenantid}",
    "EXCHANGE_AUTHORITY",
    environment,
  );
  // Both or neither: one without the other would only surface at the first service-account sign-in.
  if (env.BACKEND_CLIENT_ID && !env.BACKEND_CLIENT_SECRET) {
    throw new ConfigError("BACKEND_CLIENT_SECRET", "is required when BACKEND_CLIENT_ID is set");
  }
  if (env.BACKEND_CLIENT_SECRET && !env.BACKEND_CLIENT_ID) {
    throw new ConfigError("BACKEND_CLIENT_ID", "is required when BACKEND_CLIENT_SECRET is set");
  }
  return {
    authority,
    knownAuthorities: list(env.EXCHANGE_KNOWN_AUTHORITIES),
    protocolMode: env.EXCHANGE_PROTOCOL_MODE ?? (authority.includes("login.microsoftonline.com") ? "aad" : "oidc"),
    backendClient:
      env.BACKEND_CLIENT_ID && env.BACKEND_CLIENT_SECRET
        ? { clientId: env.BACKEND_CLIENT_ID, clientSecret: env.BACKEND_CLIENT_SECRET }
        : null,
    graphBaseUrl: env.GRAPH_BASE_URL ? httpsUrl(env.GRAPH_BASE_URL, "GRAPH_BASE_URL", environment) : null,
    ewsScope: env.EXCHANGE_EWS_SCOPE ?? null,
    graphScope: env.GRAPH_SCOPE ?? null,
  };
}

/** Defaults of the CHECK_* variables; the check runner starts from the same values (checks/runner.ts). */
export const CHECK_DEFAULTS = {
  concurrency: 10,
  maxAttempts: 5,
  requestTimeoutMs: 30_000,
  retryBaseMs: 200,
  defaultBackOffMs: 1_000,
  pageSize: 500,
  maxThrottledWaitMs: 600_000,
} as const;

function parseChecks(env: ServerEnv): ChecksConfig {
  const defaults = CHECK_DEFAULTS;
  const maxConcurrency = wholeWithin(env.CHECK_MAX_CONCURRENCY, 27, "CHECK_MAX_CONCURRENCY", 1, 500);
  const defaultConcurrency = wholeWithin(
    env.CHECK_CONCURRENCY,
    Math.min(defaults.concurrency, maxConcurrency),
    "CHECK_CONCURRENCY",
    1,
    500,
  );
  if (defaultConcurrency > maxConcurrency) {
    throw new ConfigError("CHECK_CONCURRENCY", `must not exceed CHECK_MAX_CONCURRENCY (${maxConcurrency})`);
  }
  return {
    defaultConcurrency,
    maxConcurrency,
    maxAttempts: wholeWithin(env.CHECK_MAX_ATTEMPTS, defaults.maxAttempts, "CHECK_MAX_ATTEMPTS", 1, 20),
    requestTimeoutMs: wholeWithin(
      env.CHECK_REQUEST_TIMEOUT_MS,
      defaults.requestTimeoutMs,
      "CHECK_REQUEST_TIMEOUT_MS",
      100,
      600_000,
    ),
    retryBaseMs: wholeWithin(env.CHECK_RETRY_BASE_MS, defaults.retryBaseMs, "CHECK_RETRY_BASE_MS", 1, 60_000),
    defaultBackOffMs: wholeWithin(
      env.CHECK_DEFAULT_BACKOFF_MS,
      defaults.defaultBackOffMs,
      "CHECK_DEFAULT_BACKOFF_MS",
      1,
      600_000,
    ),
    pageSize: wholeWithin(env.CHECK_PAGE_SIZE, defaults.pageSize, "CHECK_PAGE_SIZE", 10, 10_000),
    maxThrottledWaitMs: wholeWithin(
      env.CHECK_MAX_THROTTLED_WAIT_MS,
      defaults.maxThrottledWaitMs,
      "CHECK_MAX_THROTTLED_WAIT_MS",
      1_000,
      86_400_000,
    ),
    queue: {
      chunkUsers: wholeWithin(env.CHECK_CHUNK_USERS, 250, "CHECK_CHUNK_USERS", 10, 10_000),
      workersPerProcess: wholeWithin(env.CHECK_CHUNK_WORKERS, 64, "CHECK_CHUNK_WORKERS", 1, 1_024),
      expireSeconds: wholeWithin(env.CHECK_CHUNK_EXPIRE_SECONDS, 900, "CHECK_CHUNK_EXPIRE_SECONDS", 60, 86_400),
    },
  };
}

function isTimeZoneName(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function parseSmtp(env: ServerEnv): SmtpConfig | null {
  if (!env.SMTP_HOST) {
    const stray = (["SMTP_PORT", "SMTP_USER", "SMTP_PASSWORD", "SMTP_FROM"] as const).find((name) => env[name]);
    if (stray !== undefined) throw new ConfigError(stray, "needs SMTP_HOST (the relay alert email goes through)");
    return null;
  }
  if (!/^[A-Za-z0-9.-]+$|^\[[0-9a-f:.]+\]$/i.test(env.SMTP_HOST)) {
    throw new ConfigError("SMTP_HOST", `must be a host name or address (got "${env.SMTP_HOST}")`);
  }
  if (env.SMTP_SECURE !== undefined && env.SMTP_SECURE !== "true" && env.SMTP_SECURE !== "false") {
    throw new ConfigError("SMTP_SECURE", `must be true or false (got "${env.SMTP_SECURE}")`);
  }
  const secure = env.SMTP_SECURE === "true";
  const from = env.SMTP_FROM ?? "no-reply@sync-sidebar.local";
  if (!isEmailAddress(from)) throw new ConfigError("SMTP_FROM", `must be the sender's email address (got "${from}")`);
  if (Boolean(env.SMTP_USER) !== Boolean(env.SMTP_PASSWORD)) {
    throw new ConfigError(env.SMTP_USER ? "SMTP_PASSWORD" : "SMTP_USER", "SMTP_USER and SMTP_PASSWORD go together");
  }
  return {
    host: env.SMTP_HOST,
    port: wholeWithin(env.SMTP_PORT, secure ? 465 : 587, "SMTP_PORT", 1, 65535),
    secure,
    auth: env.SMTP_USER && env.SMTP_PASSWORD ? { user: env.SMTP_USER, pass: env.SMTP_PASSWORD } : null,
    from,
  };
}

function parseMonitoring(env: ServerEnv): MonitoringConfig {
  const timeZone = env.MONITORING_TIME_ZONE ?? "UTC";
  if (!isTimeZoneName(timeZone)) {
    throw new ConfigError("MONITORING_TIME_ZONE", `must be an IANA time zone like Europe/Berlin (got "${timeZone}")`);
  }
  return {
    timeZone,
    tickMs: wholeWithin(env.MONITORING_TICK_MS, 30_000, "MONITORING_TICK_MS", 0, 3_600_000),
    smtp: parseSmtp(env),
    webhook: {
      maxAttempts: wholeWithin(env.WEBHOOK_MAX_ATTEMPTS, 5, "WEBHOOK_MAX_ATTEMPTS", 1, 10),
      retryBaseMs: wholeWithin(env.WEBHOOK_RETRY_BASE_MS, 2_000, "WEBHOOK_RETRY_BASE_MS", 1, 600_000),
    },
    testSends: {
      max: wholeWithin(env.ALERT_TEST_SENDS_MAX, 5, "ALERT_TEST_SENDS_MAX", 1, 1000),
      windowMs: wholeWithin(env.ALERT_TEST_SENDS_WINDOW_MS, 600_000, "ALERT_TEST_SENDS_WINDOW_MS", 1_000, 86_400_000),
    },
    mailDailyCap: wholeWithin(env.ALERT_MAIL_DAILY_CAP, 50, "ALERT_MAIL_DAILY_CAP", 1, 100_000),
    paneUrl: parsePaneUrl(env),
  };
}

function parsePaneUrl(env: ServerEnv): string | null {
  const value = env.PANE_URL?.trim() ?? "";
  if (value === "") return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(
      "PANE_URL",
      `must be an absolute URL like https://sidebar.contoso.com/taskpane.html (got "${value}")`,
    );
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new ConfigError("PANE_URL", `must be an https URL (got "${value}")`);
  }
  return url.toString();
}

/** Reads and validates the environment; throws ConfigError naming the first variable that is wrong. */
export function loadConfig(rawEnv: Record<string, string | undefined> = process.env): ServerConfig {
  const known = Object.fromEntries(
    Object.keys(EnvSchema.properties)
      .filter((name) => rawEnv[name] !== undefined && rawEnv[name] !== "")
      .map((name) => [name, rawEnv[name]]),
  );
  const firstError = Value.Errors(EnvSchema, known).First();
  if (firstError) {
    const variable = firstError.path.replace(/^\//, "") || "environment";
    throw new ConfigError(variable, `is invalid: ${firstError.message} (got "${String(firstError.value)}")`);
  }
  const env = known as ServerEnv;
  const environment = env.NODE_ENV ?? "development";
  const production = environment === "production";

  const issuers = list(env.TOKEN_ISSUERS).map((issuer) => httpsUrl(issuer, "TOKEN_ISSUERS", environment));
  if (production && issuers.length === 0) throw new ConfigError("TOKEN_ISSUERS", "is required in production");
  const audience = list(env.TOKEN_AUDIENCE);
  if (issuers.length > 0 && audience.length === 0) {
    throw new ConfigError("TOKEN_AUDIENCE", "is required when TOKEN_ISSUERS is set");
  }
  const algorithms = env.TOKEN_ALGORITHMS ? list(env.TOKEN_ALGORITHMS) : DEFAULT_ALGORITHMS;
  const unknownAlgorithm = algorithms.find((alg) => !DEFAULT_ALGORITHMS.includes(alg));
  if (unknownAlgorithm !== undefined) {
    throw new ConfigError("TOKEN_ALGORITHMS", `may only list asymmetric algorithms (got "${unknownAlgorithm}")`);
  }

  const keys = env.SECRETS_KEYS ? list(env.SECRETS_KEYS) : env.SECRETS_KEY ? [env.SECRETS_KEY] : [];
  if (production && keys.length === 0) {
    throw new ConfigError("SECRETS_KEYS", "is required in production (a 32-byte base64 key, optionally id:key)");
  }

  const origins = list(env.ALLOWED_ORIGINS);
  for (const origin of origins) {
    if (!/^https?:\/\/[^/]+$/.test(origin)) {
      throw new ConfigError("ALLOWED_ORIGINS", `must list origins like https://host:port (got "${origin}")`);
    }
  }

  const allowPrivateCidrs = list(env.OUTBOUND_ALLOW_PRIVATE);
  for (const cidr of allowPrivateCidrs) {
    if (!/^[0-9a-f:.]+\/[0-9]{1,3}$/i.test(cidr)) {
      throw new ConfigError("OUTBOUND_ALLOW_PRIVATE", `must list CIDR ranges like 10.0.0.0/8 (got "${cidr}")`);
    }
  }

  let bootstrap: ServerConfig["bootstrap"] = null;
  if (env.BOOTSTRAP_ADMIN) {
    if (!isEmailAddress(env.BOOTSTRAP_ADMIN)) {
      throw new ConfigError("BOOTSTRAP_ADMIN", `must be an email address (got "${env.BOOTSTRAP_ADMIN}")`);
    }
    const orgNameProblem = env.BOOTSTRAP_ORG_NAME === undefined ? null : displayNameProblem(env.BOOTSTRAP_ORG_NAME);
    if (orgNameProblem !== null) throw new ConfigError("BOOTSTRAP_ORG_NAME", orgNameProblem);
    if (env.BOOTSTRAP_TENANT_ID && !isGuid(env.BOOTSTRAP_TENANT_ID)) {
      throw new ConfigError("BOOTSTRAP_TENANT_ID", `must be a tenant GUID (got "${env.BOOTSTRAP_TENANT_ID}")`);
    }
    bootstrap = {
      adminEmail: env.BOOTSTRAP_ADMIN,
      orgName: env.BOOTSTRAP_ORG_NAME ?? "Demo organization",
      tenantId: env.BOOTSTRAP_TENANT_ID ?? null,
      usersCsv: env.BOOTSTRAP_USERS_FILE ? readBootstrapUsers(env.BOOTSTRAP_USERS_FILE) : null,
      canaries: list(env.BOOTSTRAP_CANARIES),
      profiles: env.BOOTSTRAP_PROFILES_FILE ? readBootstrapProfiles(env.BOOTSTRAP_PROFILES_FILE) : null,
    };
    for (const canary of bootstrap.canaries) {
      if (!isEmailAddress(canary)) {
        throw new ConfigError("BOOTSTRAP_CANARIES", `must list email addresses separated by commas (got "${canary}")`);
      }
    }
  } else if (env.BOOTSTRAP_USERS_FILE) {
    throw new ConfigError("BOOTSTRAP_USERS_FILE", "needs BOOTSTRAP_ADMIN (the organization the users are added to)");
  } else if (env.BOOTSTRAP_PROFILES_FILE) {
    throw new ConfigError("BOOTSTRAP_PROFILES_FILE", "needs BOOTSTRAP_ADMIN (the organization the profiles are for)");
  }

  return {
    environment,
    processName: env.PROCESS_NAME ?? `${hostname()}:${process.pid}`,
    healthDetails: env.HEALTH_DETAILS === undefined ? !production : env.HEALTH_DETAILS === "true",
    port: integer(env.PORT, 3001, "PORT", 65535),
    host: env.HOST ?? "127.0.0.1",
    databaseUrl: env.DATABASE_URL ?? path.join("data", "sync-sidebar.db"),
    allowedOrigins: origins.length > 0 || production ? origins : ["https://localhost:3000"],
    token: {
      issuers,
      audience,
      jwksUri: env.TOKEN_JWKS_URI ? httpsUrl(env.TOKEN_JWKS_URI, "TOKEN_JWKS_URI", environment) : null,
      algorithms,
    },
    secrets: { keys, keyFile: env.SECRETS_KEY_FILE ?? path.join("data", "secrets-keys.json") },
    logLevel: env.LOG_LEVEL ?? "info",
    bodyLimitBytes: integer(env.BODY_LIMIT_BYTES, 256 * 1024, "BODY_LIMIT_BYTES"),
    importBodyLimitBytes: integer(env.IMPORT_BODY_LIMIT_BYTES, 16 * 1024 * 1024, "IMPORT_BODY_LIMIT_BYTES"),
    rateLimit: {
      max: integer(env.RATE_LIMIT_MAX, 600, "RATE_LIMIT_MAX"),
      windowMs: integer(env.RATE_LIMIT_WINDOW_MS, 60_000, "RATE_LIMIT_WINDOW_MS"),
      authFailureMax: integer(env.AUTH_FAILURE_LIMIT_MAX, 60, "AUTH_FAILURE_LIMIT_MAX"),
    },
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
    outbound: {
      // Development talks to the lab on loopback; production allows nothing private unless configured.
      allowPrivateCidrs: allowPrivateCidrs.length > 0 || production ? allowPrivateCidrs : ["127.0.0.0/8", "::1/128"],
      allowedHosts: list(env.OUTBOUND_ALLOWED_HOSTS).map((host) => host.toLowerCase()),
      hostOverrides: parseHostOverrides(env.OUTBOUND_HOST_OVERRIDES, environment),
      caFile: env.OUTBOUND_CA_FILE ?? null,
      timeoutMs: integer(env.OUTBOUND_TIMEOUT_MS, 30_000, "OUTBOUND_TIMEOUT_MS"),
    },
    bootstrap,
    clientAuth: parseClientAuth(env),
    staticDir: env.STATIC_DIR ?? null,
    exchange: parseExchange(env, environment),
    checks: parseChecks(env),
    monitoring: parseMonitoring(env),
  };
}

/**
 * The bootstrap organization's connection profiles: each a name and its configuration as PUT email-config takes it
 * (validated like one when seeded), exactly one the default; placement automatic or by the default profile.
 */
export interface BootstrapProfiles {
  profiles: Array<{ name: string; default: boolean; config: EmailConfigInput }>;
  placement: "automatic" | "default";
}

const BootstrapProfilesSchema = Type.Object(
  {
    profiles: Type.Array(
      Type.Object(
        {
          name: Type.String({ minLength: 1, maxLength: 64 }),
          default: Type.Optional(Type.Boolean()),
          config: Type.Object({ accessType: Type.String({ minLength: 1 }) }),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 20 },
    ),
    placement: Type.Optional(Type.Union([Type.Literal("automatic"), Type.Literal("default")])),
  },
  { additionalProperties: false },
);

function readBootstrapProfiles(file: string): BootstrapProfiles {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new ConfigError("BOOTSTRAP_PROFILES_FILE", `must name a readable JSON file (${(error as Error).message})`);
  }
  const problem = Value.Errors(BootstrapProfilesSchema, parsed).First();
  if (problem) {
    // The path and what is wrong, never the value: the file holds the profiles' secrets.
    throw new ConfigError("BOOTSTRAP_PROFILES_FILE", `${problem.path || "/"} ${problem.message.toLowerCase()}`);
  }
  const seed = parsed as Static<typeof BootstrapProfilesSchema>;
  const defaults = seed.profiles.filter((profile) => profile.default === true).length;
  if (defaults !== 1) {
    throw new ConfigError("BOOTSTRAP_PROFILES_FILE", `must mark exactly one profile as the default (${defaults} are)`);
  }
  return {
    profiles: seed.profiles.map((profile) => ({
      name: profile.name,
      default: profile.default === true,
      config: profile.config as unknown as EmailConfigInput,
    })),
    placement: seed.placement ?? "default",
  };
}

function readBootstrapUsers(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    throw new ConfigError("BOOTSTRAP_USERS_FILE", `must name a readable CSV file (${(error as Error).message})`);
  }
}
