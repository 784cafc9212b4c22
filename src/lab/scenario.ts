/**
 * The lab's scenario: one organization (tenant, domain, mode), its principals, apps, rooms and the misbehaviour to
 * inject. Scenario files are JSON (documented in src/lab/scenarios/README.md) and validated on load; every problem is
 * reported with the path of the offending field so a hand-edited file is quick to fix.
 */
import { readFile } from "node:fs/promises";

export const MAILBOX_STATES = [
  "ok",
  "none",
  "disabled",
  "moving",
  "unavailable",
  "alias",
  "unresolved",
  "kiosk",
] as const;
/** ok works; none → ErrorNonExistentMailbox / MailboxNotEnabledForRESTAPI; alias → ErrorNonPrimarySmtpAddress;
 * unresolved → ErrorImpersonationFailed; kiosk → HTTP 403 from EWS in online mode (F1/F3 licence block). */
export type MailboxState = (typeof MAILBOX_STATES)[number];

export const FAULT_KINDS = ["http500", "reset", "truncated", "malformed", "noAnswer", "throttle"] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** How the EWS and Autodiscover virtual directories let callers sign in on-premises ("kerberos": Negotiate only). */
export const EWS_AUTH_METHODS = ["ntlm", "basic", "kerberos"] as const;
export type EwsAuthMethod = (typeof EWS_AUTH_METHODS)[number];

export const FAULT_SERVICES = ["ews", "graph", "autodiscover", "any"] as const;
export type FaultService = (typeof FAULT_SERVICES)[number];

/** Client-credential refusals the identity provider plays for an app (Entra AADSTS7000222, AADSTS53003). */
export const CREDENTIAL_FAILURES = ["secretExpired", "conditionalAccess"] as const;
export type CredentialFailure = (typeof CREDENTIAL_FAILURES)[number];

/** Who a principal or app may reach: everyone, nobody, the users inside the management scope, or a list. */
export type AccessScope = "all" | "none" | "scoped" | string[];

export interface ScenarioUser {
  email: string;
  displayName: string;
  password: string;
  mailbox: MailboxState;
  /** Required when mailbox is "alias": the address Exchange answers with. */
  primarySmtpAddress?: string;
  /** False puts the user outside the management scope ("scoped" rights and RBAC scopes exclude them). */
  inManagementScope: boolean;
  /** "revoked" makes every refresh-token redemption for this user fail with invalid_grant. */
  refresh: "ok" | "revoked";
  /** Online: false answers EWS for this mailbox with 403 (Set-CASMailbox -EwsEnabled $false). */
  ewsEnabled?: boolean;
  /** The mailbox's first `times` Graph requests answer 429 ApplicationThrottled (MailboxConcurrency). */
  graphThrottled?: { times: number; retryAfterSeconds: number };
}

export interface ServiceAccount {
  email: string;
  displayName: string;
  password: string;
  /** Which mailboxes this account may impersonate over EWS (ApplicationImpersonation and its scope). */
  impersonation: AccessScope;
  /** Without its own mailbox and licence the account cannot read its own folders, rooms or room lists. */
  hasMailbox: boolean;
  refresh: "ok" | "revoked";
}

export interface AppOnlyRegistration {
  clientId: string;
  displayName: string;
  secret?: string;
  /** PEM certificate (public part) for private_key_jwt client assertions, as msal-node sends them. */
  certificatePem?: string;
  /** Application permissions per resource, e.g. {"https://graph.microsoft.com": ["Mail.Read"]}. */
  roles: Record<string, string[]>;
  /** RBAC for Applications: the mailboxes the app may reach. */
  mailboxScope: AccessScope;
  /** RBAC grants per permission: the mailboxes whose calendar the app may read (default: mailboxScope). */
  calendarScope?: AccessScope;
  /** Graph permissions also consented tenant-wide in Entra ID: in the token, and they reach every mailbox. */
  tenantWideConsent?: string[];
  /** The identity provider refuses this app's client credentials with Entra's AADSTS answer. */
  credentialFailure?: CredentialFailure;
}

export interface ScenarioApps {
  spa: { clientId: string; redirectPaths: string[] };
  backend: { clientId: string; secret: string; apiScope: string };
  appOnly: AppOnlyRegistration[];
}

export interface FaultRule {
  kind: FaultKind;
  /** Probability per request, 0..1 (default 1 when users is given, else 0). */
  rate: number;
  /** Only requests whose target mailbox is one of these addresses. */
  users?: string[];
  service: FaultService;
}

export interface Scenario {
  name: string;
  tenantId: string;
  domain: string;
  mode: "online" | "onprem";
  ewsBlocked: boolean;
  /** Online: when set, only tokens of these app (client) ids may use EWS (EwsApplicationAccessPolicy EnforceAllowList). */
  ewsAllowedAppIds?: string[];
  /** On-premises: the sign-in methods EWS and Autodiscover POX offer; ["ntlm"] as Exchange ships (Basic off). */
  ewsAuth: EwsAuthMethod[];
  /** On-premises: NTLM sign-ins must carry the TLS channel binding (Extended Protection behind TLS offloading). */
  ewsExtendedProtection: boolean;
  latencyMs: { min: number; max: number };
  throttling: {
    /** Concurrent EWS requests per service account (EWSMaxConcurrency). */
    budget: number;
    response: "serverBusy" | "http503";
    backOffMs: number;
    /** Concurrent Graph requests per app before 429. */
    graphBudget: number;
    graphRetryAfterSeconds: number;
  };
  tokens: { accessTokenSeconds: number; refreshTokenSeconds: number };
  faults: FaultRule[];
  serviceAccounts: ServiceAccount[];
  apps: ScenarioApps;
  users: ScenarioUser[];
  roomLists: Array<{ email: string; displayName: string }>;
  rooms: Array<{ email: string; displayName: string; roomList: string }>;
}

export class ScenarioError extends Error {
  constructor(
    readonly problems: string[],
    source: string,
  ) {
    super(
      `invalid scenario ${source}:\n  ${problems.slice(0, 20).join("\n  ")}${problems.length > 20 ? `\n  … and ${problems.length - 20} more` : ""}`,
    );
    this.name = "ScenarioError";
  }
}

type Json = unknown;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EMAIL = /^[^\s@<>"]+@[^\s@<>"]+\.[^\s@<>"]+$/;
const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;

/** Collects problems while reading an untrusted JSON value; each reader returns a usable default on error. */
class Reader {
  readonly problems: string[] = [];

  fail(path: string, message: string): void {
    this.problems.push(`${path}: ${message}`);
  }

  object(value: Json, path: string): Record<string, Json> {
    if (typeof value === "object" && value !== null && !Array.isArray(value)) return value as Record<string, Json>;
    this.fail(path, "must be an object");
    return {};
  }

  array(value: Json, path: string, optional = false): Json[] {
    if (value === undefined && optional) return [];
    if (Array.isArray(value)) return value;
    this.fail(path, "must be an array");
    return [];
  }

  string(value: Json, path: string, pattern?: RegExp, what = "a non-empty string"): string {
    if (typeof value === "string" && value.length > 0 && (!pattern || pattern.test(value))) return value;
    this.fail(path, `must be ${what}`);
    return "";
  }

  optionalString(value: Json, path: string, pattern?: RegExp, what?: string): string | undefined {
    return value === undefined ? undefined : this.string(value, path, pattern, what);
  }

  email(value: Json, path: string): string {
    return this.string(value, path, EMAIL, "an email address").toLowerCase();
  }

  boolean(value: Json, path: string, fallback: boolean): boolean {
    if (value === undefined) return fallback;
    if (typeof value === "boolean") return value;
    this.fail(path, "must be true or false");
    return fallback;
  }

  number(value: Json, path: string, fallback: number, min: number, max: number, integer = true): number {
    if (value === undefined) return fallback;
    if (typeof value === "number" && Number.isFinite(value) && value >= min && value <= max) {
      if (!integer || Number.isInteger(value)) return value;
    }
    this.fail(path, `must be ${integer ? "an integer" : "a number"} from ${min} to ${max}`);
    return fallback;
  }

  oneOf<T extends string>(value: Json, path: string, allowed: readonly T[], fallback?: T): T {
    if (value === undefined && fallback !== undefined) return fallback;
    if (typeof value === "string" && (allowed as readonly string[]).includes(value)) return value as T;
    this.fail(path, `must be one of ${allowed.join(", ")}`);
    return fallback ?? (allowed[0] as T);
  }

  scope(value: Json, path: string, fallback: AccessScope): AccessScope {
    if (value === undefined) return fallback;
    if (value === "all" || value === "none" || value === "scoped") return value;
    if (Array.isArray(value)) return value.map((entry, i) => this.email(entry, `${path}[${i}]`));
    this.fail(path, 'must be "all", "none", "scoped" or an array of email addresses');
    return fallback;
  }

  unknownKeys(value: Record<string, Json>, path: string, known: readonly string[]): void {
    for (const key of Object.keys(value)) {
      if (!known.includes(key) && !key.startsWith("$"))
        this.fail(`${path}.${key}`.replace(/^\./, ""), "is not a known field");
    }
  }
}

function readUser(r: Reader, raw: Json, path: string): ScenarioUser {
  const o = r.object(raw, path);
  r.unknownKeys(o, path, [
    "email",
    "displayName",
    "password",
    "mailbox",
    "primarySmtpAddress",
    "inManagementScope",
    "refresh",
    "graphThrottled",
    "ewsEnabled",
  ]);
  const email = r.email(o.email, `${path}.email`);
  const mailbox = r.oneOf(o.mailbox, `${path}.mailbox`, MAILBOX_STATES, "ok");
  const user: ScenarioUser = {
    email,
    displayName: r.optionalString(o.displayName, `${path}.displayName`) ?? email.split("@")[0] ?? email,
    password: r.string(o.password, `${path}.password`),
    mailbox,
    inManagementScope: r.boolean(o.inManagementScope, `${path}.inManagementScope`, true),
    refresh: r.oneOf(o.refresh, `${path}.refresh`, ["ok", "revoked"] as const, "ok"),
  };
  if (o.ewsEnabled !== undefined) user.ewsEnabled = r.boolean(o.ewsEnabled, `${path}.ewsEnabled`, true);
  if (o.graphThrottled !== undefined) {
    const throttled = r.object(o.graphThrottled, `${path}.graphThrottled`);
    r.unknownKeys(throttled, `${path}.graphThrottled`, ["times", "retryAfterSeconds"]);
    user.graphThrottled = {
      times: r.number(throttled.times, `${path}.graphThrottled.times`, 1, 1, 1_000_000),
      retryAfterSeconds: r.number(
        throttled.retryAfterSeconds,
        `${path}.graphThrottled.retryAfterSeconds`,
        1,
        0,
        3600,
        false,
      ),
    };
  }
  if (mailbox === "alias") user.primarySmtpAddress = r.email(o.primarySmtpAddress, `${path}.primarySmtpAddress`);
  else if (o.primarySmtpAddress !== undefined)
    r.fail(`${path}.primarySmtpAddress`, 'is only allowed when mailbox is "alias"');
  return user;
}

function readServiceAccount(r: Reader, raw: Json, path: string): ServiceAccount {
  const o = r.object(raw, path);
  r.unknownKeys(o, path, ["email", "displayName", "password", "impersonation", "hasMailbox", "refresh"]);
  const email = r.email(o.email, `${path}.email`);
  return {
    email,
    displayName: r.optionalString(o.displayName, `${path}.displayName`) ?? email,
    password: r.string(o.password, `${path}.password`),
    impersonation: r.scope(o.impersonation, `${path}.impersonation`, "all"),
    hasMailbox: r.boolean(o.hasMailbox, `${path}.hasMailbox`, true),
    refresh: r.oneOf(o.refresh, `${path}.refresh`, ["ok", "revoked"] as const, "ok"),
  };
}

function readAppOnly(r: Reader, raw: Json, path: string): AppOnlyRegistration {
  const o = r.object(raw, path);
  r.unknownKeys(o, path, [
    "clientId",
    "displayName",
    "secret",
    "certificatePem",
    "roles",
    "mailboxScope",
    "calendarScope",
    "tenantWideConsent",
    "credentialFailure",
  ]);
  const rolesRaw = r.object(o.roles ?? {}, `${path}.roles`);
  const roles: Record<string, string[]> = {};
  for (const [resource, list] of Object.entries(rolesRaw)) {
    if (!/^(https:\/\/|api:\/\/)/.test(resource))
      r.fail(`${path}.roles.${resource}`, "must be keyed by a resource URI");
    roles[resource] = r
      .array(list, `${path}.roles.${resource}`)
      .map((role, i) => r.string(role, `${path}.roles.${resource}[${i}]`));
  }
  const app: AppOnlyRegistration = {
    clientId: r.string(o.clientId, `${path}.clientId`, GUID, "a GUID"),
    displayName: r.optionalString(o.displayName, `${path}.displayName`) ?? "App-only registration",
    roles,
    mailboxScope: r.scope(o.mailboxScope, `${path}.mailboxScope`, "all"),
    tenantWideConsent: r
      .array(o.tenantWideConsent, `${path}.tenantWideConsent`, true)
      .map((role, i) => r.string(role, `${path}.tenantWideConsent[${i}]`)),
  };
  if (o.calendarScope !== undefined) app.calendarScope = r.scope(o.calendarScope, `${path}.calendarScope`, "all");
  if (o.credentialFailure !== undefined)
    app.credentialFailure = r.oneOf(o.credentialFailure, `${path}.credentialFailure`, CREDENTIAL_FAILURES);
  const secret = r.optionalString(o.secret, `${path}.secret`);
  if (secret !== undefined) app.secret = secret;
  const certificatePem = r.optionalString(
    o.certificatePem,
    `${path}.certificatePem`,
    /-----BEGIN CERTIFICATE-----/,
    "a PEM certificate",
  );
  if (certificatePem !== undefined) app.certificatePem = certificatePem;
  if (secret === undefined && certificatePem === undefined) r.fail(path, "needs a secret or a certificatePem");
  if (secret !== undefined && certificatePem !== undefined)
    r.fail(path, "takes a secret or a certificatePem, not both");
  return app;
}

function readApps(r: Reader, raw: Json): ScenarioApps {
  const o = r.object(raw, "apps");
  r.unknownKeys(o, "apps", ["spa", "backend", "appOnly"]);
  const spa = r.object(o.spa, "apps.spa");
  r.unknownKeys(spa, "apps.spa", ["clientId", "redirectPaths"]);
  const backend = r.object(o.backend, "apps.backend");
  r.unknownKeys(backend, "apps.backend", ["clientId", "secret", "apiScope"]);
  return {
    spa: {
      clientId: r.string(spa.clientId, "apps.spa.clientId", GUID, "a GUID"),
      redirectPaths: r
        .array(spa.redirectPaths ?? ["/auth.html"], "apps.spa.redirectPaths")
        .map((p, i) => r.string(p, `apps.spa.redirectPaths[${i}]`, /^\/[^\s?#]*$/, "a path starting with /")),
    },
    backend: {
      clientId: r.string(backend.clientId, "apps.backend.clientId", GUID, "a GUID"),
      secret: r.string(backend.secret, "apps.backend.secret"),
      apiScope: r.string(
        backend.apiScope ?? "api://sync-sidebar/access_as_user",
        "apps.backend.apiScope",
        /^api:\/\/[^/\s]+\/[^/\s]+$/,
        "api://<name>/<scope>",
      ),
    },
    appOnly: r.array(o.appOnly, "apps.appOnly", true).map((app, i) => readAppOnly(r, app, `apps.appOnly[${i}]`)),
  };
}

function readFault(r: Reader, raw: Json, path: string): FaultRule {
  const o = r.object(raw, path);
  r.unknownKeys(o, path, ["kind", "rate", "users", "service"]);
  const users =
    o.users === undefined
      ? undefined
      : r.array(o.users, `${path}.users`).map((u, i) => r.email(u, `${path}.users[${i}]`));
  const fault: FaultRule = {
    kind: r.oneOf(o.kind, `${path}.kind`, FAULT_KINDS),
    rate: r.number(o.rate, `${path}.rate`, users ? 1 : 0, 0, 1, false),
    service: r.oneOf(o.service, `${path}.service`, FAULT_SERVICES, "any"),
  };
  if (users) fault.users = users;
  return fault;
}

function readEwsAuth(r: Reader, raw: Json): EwsAuthMethod[] {
  if (raw === undefined) return ["ntlm"];
  const methods = r.array(raw, "ewsAuth").map((m, i) => r.oneOf(m, `ewsAuth[${i}]`, EWS_AUTH_METHODS));
  if (Array.isArray(raw) && methods.length === 0) r.fail("ewsAuth", "must name at least one method");
  if (new Set(methods).size !== methods.length) r.fail("ewsAuth", "must not name a method twice");
  return methods;
}

/** Checks the cross-references a field-by-field read cannot see (duplicates, dangling room lists, scopes). */
function checkReferences(r: Reader, s: Scenario): void {
  const seen = new Map<string, string>();
  const claim = (email: string, path: string): void => {
    const previous = seen.get(email);
    if (previous) r.fail(path, `duplicates the address of ${previous}`);
    else seen.set(email, path);
  };
  s.users.forEach((u, i) => claim(u.email, `users[${i}].email`));
  s.serviceAccounts.forEach((a, i) => claim(a.email, `serviceAccounts[${i}].email`));
  s.rooms.forEach((room, i) => claim(room.email, `rooms[${i}].email`));
  s.roomLists.forEach((list, i) => claim(list.email, `roomLists[${i}].email`));
  const lists = new Set(s.roomLists.map((l) => l.email));
  s.rooms.forEach((room, i) => {
    if (!lists.has(room.roomList)) r.fail(`rooms[${i}].roomList`, `names no entry of roomLists (${room.roomList})`);
  });
  const clientIds = new Set<string>();
  [s.apps.spa.clientId, s.apps.backend.clientId, ...s.apps.appOnly.map((a) => a.clientId)].forEach((id) => {
    if (id && clientIds.has(id)) r.fail("apps", `client id ${id} is used twice`);
    clientIds.add(id);
  });
  if (s.latencyMs.max < s.latencyMs.min) r.fail("latencyMs.max", "must not be below latencyMs.min");
}

/** Validates an untrusted JSON value as a scenario, filling defaults. Throws ScenarioError listing every problem. */
export function parseScenario(raw: Json, source = "(inline)"): Scenario {
  const r = new Reader();
  const o = r.object(raw, "(root)");
  r.unknownKeys(o, "", [
    "name",
    "tenantId",
    "domain",
    "mode",
    "ewsBlocked",
    "ewsAllowedAppIds",
    "ewsAuth",
    "ewsExtendedProtection",
    "latencyMs",
    "throttling",
    "tokens",
    "faults",
    "serviceAccounts",
    "apps",
    "users",
    "roomLists",
    "rooms",
  ]);
  const latency = r.object(o.latencyMs ?? {}, "latencyMs");
  const throttling = r.object(o.throttling ?? {}, "throttling");
  const tokens = r.object(o.tokens ?? {}, "tokens");
  const scenario: Scenario = {
    name: r.optionalString(o.name, "name") ?? "unnamed",
    tenantId: r.string(o.tenantId, "tenantId", GUID, "a GUID").toLowerCase(),
    domain: r.string(o.domain, "domain", DOMAIN, "a DNS domain such as contoso.lab").toLowerCase(),
    mode: r.oneOf(o.mode, "mode", ["online", "onprem"] as const),
    ewsBlocked: r.boolean(o.ewsBlocked, "ewsBlocked", false),
    ewsAuth: readEwsAuth(r, o.ewsAuth),
    ewsExtendedProtection: r.boolean(o.ewsExtendedProtection, "ewsExtendedProtection", false),
    latencyMs: {
      min: r.number(latency.min, "latencyMs.min", 0, 0, 600_000),
      max: r.number(latency.max, "latencyMs.max", 0, 0, 600_000),
    },
    throttling: {
      budget: r.number(throttling.budget, "throttling.budget", 27, 1, 10_000),
      response: r.oneOf(throttling.response, "throttling.response", ["serverBusy", "http503"] as const, "serverBusy"),
      backOffMs: r.number(throttling.backOffMs, "throttling.backOffMs", 2000, 0, 3_600_000),
      graphBudget: r.number(throttling.graphBudget, "throttling.graphBudget", 27, 1, 10_000),
      graphRetryAfterSeconds: r.number(
        throttling.graphRetryAfterSeconds,
        "throttling.graphRetryAfterSeconds",
        2,
        0,
        3600,
      ),
    },
    tokens: {
      accessTokenSeconds: r.number(tokens.accessTokenSeconds, "tokens.accessTokenSeconds", 3600, 5, 86_400),
      refreshTokenSeconds: r.number(tokens.refreshTokenSeconds, "tokens.refreshTokenSeconds", 7_776_000, 5, 31_536_000),
    },
    faults: r.array(o.faults, "faults", true).map((f, i) => readFault(r, f, `faults[${i}]`)),
    serviceAccounts: r
      .array(o.serviceAccounts, "serviceAccounts", true)
      .map((a, i) => readServiceAccount(r, a, `serviceAccounts[${i}]`)),
    apps: readApps(r, o.apps),
    users: r.array(o.users, "users").map((u, i) => readUser(r, u, `users[${i}]`)),
    roomLists: r.array(o.roomLists, "roomLists", true).map((raw, i) => {
      const l = r.object(raw, `roomLists[${i}]`);
      r.unknownKeys(l, `roomLists[${i}]`, ["email", "displayName"]);
      return {
        email: r.email(l.email, `roomLists[${i}].email`),
        displayName: r.string(l.displayName, `roomLists[${i}].displayName`),
      };
    }),
    rooms: r.array(o.rooms, "rooms", true).map((raw, i) => {
      const room = r.object(raw, `rooms[${i}]`);
      r.unknownKeys(room, `rooms[${i}]`, ["email", "displayName", "roomList"]);
      return {
        email: r.email(room.email, `rooms[${i}].email`),
        displayName: r.string(room.displayName, `rooms[${i}].displayName`),
        roomList: r.email(room.roomList, `rooms[${i}].roomList`),
      };
    }),
  };
  if (o.ewsAllowedAppIds !== undefined) {
    scenario.ewsAllowedAppIds = r
      .array(o.ewsAllowedAppIds, "ewsAllowedAppIds")
      .map((id, i) => r.string(id, `ewsAllowedAppIds[${i}]`, GUID, "a GUID").toLowerCase());
  }
  if (r.problems.length === 0) checkReferences(r, scenario);
  if (r.problems.length > 0) throw new ScenarioError(r.problems, source);
  return scenario;
}

export async function loadScenarioFile(file: string): Promise<Scenario> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new ScenarioError([`cannot read the file: ${(error as Error).message}`], file);
  }
  let raw: Json;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ScenarioError([`is not valid JSON: ${(error as Error).message}`], file);
  }
  return parseScenario(raw, file);
}
