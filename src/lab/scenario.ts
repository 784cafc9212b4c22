/**
 * The lab's scenario: one organization (tenant, domain, mode), its principals, apps, rooms and the misbehaviour to
 * inject. Scenario files are JSON (documented in src/lab/scenarios/README.md) and validated on load against the
 * TypeBox schema in scenarioSchema.ts; every problem is reported with the path of the offending field so a hand-edited
 * file is quick to fix.
 */
import { readFile } from "node:fs/promises";
import type { Static, TSchema } from "@sinclair/typebox";
import { Value, ValueErrorType, type ValueError } from "@sinclair/typebox/value";
import type { AppOnlySchema, FaultSchema, ServiceAccountSchema, UserSchema } from "./scenarioSchema.js";
import {
  CREDENTIAL_FAILURES,
  EWS_AUTH_METHODS,
  FAULT_KINDS,
  FAULT_SERVICES,
  MAILBOX_LOCATIONS,
  MAILBOX_STATES,
  ScenarioSchema,
} from "./scenarioSchema.js";

export { CREDENTIAL_FAILURES, EWS_AUTH_METHODS, FAULT_KINDS, FAULT_SERVICES, MAILBOX_LOCATIONS, MAILBOX_STATES };

export type MailboxState = (typeof MAILBOX_STATES)[number];
export type FaultKind = (typeof FAULT_KINDS)[number];
export type EwsAuthMethod = (typeof EWS_AUTH_METHODS)[number];
export type FaultService = (typeof FAULT_SERVICES)[number];
export type CredentialFailure = (typeof CREDENTIAL_FAILURES)[number];
export type MailboxLocation = (typeof MAILBOX_LOCATIONS)[number];
/** Who a principal or app may reach: everyone, nobody, the users inside the management scope, or a list. */
export type AccessScope = "all" | "none" | "scoped" | string[];

/** The schema's types, with the defaults a parse fills in made required. */
type Filled<T, K extends keyof T> = Omit<T, K> & Required<Pick<T, K>>;
export type ScenarioUser = Filled<Static<typeof UserSchema>, "displayName">;
export type ServiceAccount = Filled<Static<typeof ServiceAccountSchema>, "displayName">;
export type AppOnlyRegistration = Static<typeof AppOnlySchema>;
export type FaultRule = Filled<Static<typeof FaultSchema>, "rate">;
type ScenarioShape = Static<typeof ScenarioSchema>;
export type ScenarioApps = Omit<ScenarioShape["apps"], "appOnly"> & { appOnly: AppOnlyRegistration[] };
export interface Scenario extends Omit<ScenarioShape, "users" | "serviceAccounts" | "faults" | "apps"> {
  users: ScenarioUser[];
  serviceAccounts: ServiceAccount[];
  faults: FaultRule[];
  apps: ScenarioApps;
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

/** A copy without the "$"-prefixed keys ("$comment", "$schema") a hand-edited file may carry. */
function withoutDollarKeys(value: Json): Json {
  if (Array.isArray(value)) return value.map(withoutDollarKeys);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => !key.startsWith("$"))
      .map(([key, inner]) => [key, withoutDollarKeys(inner)]),
  );
}

/** "/apps/appOnly/0/secret" → "apps.appOnly[0].secret"; the root is "(root)". */
function fieldPath(pointer: string): string {
  const path = pointer
    .split("/")
    .slice(1)
    .map((segment) => segment.replace(/~1/g, "/").replace(/~0/g, "~"))
    .reduce((out, segment) => (/^\d+$/.test(segment) ? `${out}[${segment}]` : out ? `${out}.${segment}` : segment), "");
  return path || "(root)";
}

function problemOf(error: ValueError): string {
  if (error.type === ValueErrorType.ObjectAdditionalProperties) return `${fieldPath(error.path)}: is not a known field`;
  const message = (error.schema as TSchema & { message?: string }).message ?? error.message;
  return `${fieldPath(error.path)}: ${message}`;
}

/** One problem per field, the schema's sentence for it; a field inside a broken one is not reported again. */
function schemaProblems(value: Json): string[] {
  const byPath = new Map<string, string>();
  for (const error of Value.Errors(ScenarioSchema, value)) {
    const known = [...byPath.keys()].some((path) => path === error.path || error.path.startsWith(`${path}/`));
    if (!known || error.type === ValueErrorType.ObjectAdditionalProperties) byPath.set(error.path, problemOf(error));
  }
  return [...byPath.values()];
}

/** The (index, object) entries of what should be a list of objects; anything else is the schema's problem. */
function entries(list: Json): Array<[number, Record<string, Json>]> {
  if (!Array.isArray(list)) return [];
  return list.flatMap((item, i): Array<[number, Record<string, Json>]> =>
    typeof item === "object" && item !== null && !Array.isArray(item) ? [[i, item as Record<string, Json>]] : [],
  );
}

/** The rules between fields that a schema does not express; read defensively, since the schema may have failed too. */
function fieldRules(value: Json, fail: (path: string, message: string) => void): void {
  const root = (typeof value === "object" && value !== null ? value : {}) as Record<string, Json>;
  if (Array.isArray(root.ewsAuth)) {
    if (root.ewsAuth.length === 0) fail("ewsAuth", "must name at least one method");
    if (new Set(root.ewsAuth).size !== root.ewsAuth.length) fail("ewsAuth", "must not name a method twice");
  }
  const hybrid = root.hybrid !== undefined;
  if (hybrid && root.mode !== "onprem") fail("hybrid", 'is only allowed when mode is "onprem"');
  for (const [i, user] of entries(root.users)) {
    for (const field of ["location", "synced"] as const) {
      if (!hybrid && user[field] !== undefined) fail(`users[${i}].${field}`, "is only allowed in a hybrid scenario");
    }
    if (user.synced === false && user.location !== "cloud")
      fail(`users[${i}].synced`, 'a cloud-only user (synced false) needs location "cloud"');
    if (user.mailbox === "alias" && user.primarySmtpAddress === undefined)
      fail(`users[${i}].primarySmtpAddress`, "must be an email address");
    if (user.mailbox !== "alias" && user.primarySmtpAddress !== undefined)
      fail(`users[${i}].primarySmtpAddress`, 'is only allowed when mailbox is "alias"');
  }
  const apps = (typeof root.apps === "object" && root.apps !== null ? root.apps : {}) as Record<string, Json>;
  for (const [i, app] of entries(apps.appOnly)) {
    const path = `apps.appOnly[${i}]`;
    const roles = typeof app.roles === "object" && app.roles !== null ? Object.keys(app.roles) : [];
    for (const resource of roles) {
      if (!/^(https:\/\/|api:\/\/)/.test(resource))
        fail(`${path}.roles.${resource}`, "must be keyed by a resource URI");
    }
    if (app.secret === undefined && app.certificatePem === undefined) fail(path, "needs a secret or a certificatePem");
    if (app.secret !== undefined && app.certificatePem !== undefined)
      fail(path, "takes a secret or a certificatePem, not both");
  }
}

const lower = (emails: string[]): string[] => emails.map((email) => email.toLowerCase());

/** Addresses, tenant and domain in lower case; the defaults that depend on another field. */
function complete(s: Scenario): Scenario {
  s.tenantId = s.tenantId.toLowerCase();
  s.domain = s.domain.toLowerCase();
  for (const user of s.users) {
    user.email = user.email.toLowerCase();
    user.displayName ??= user.email.split("@")[0] ?? user.email;
    if (user.primarySmtpAddress !== undefined) user.primarySmtpAddress = user.primarySmtpAddress.toLowerCase();
  }
  for (const canary of s.canaries) canary.email = canary.email.toLowerCase();
  for (const account of s.serviceAccounts) {
    account.email = account.email.toLowerCase();
    account.displayName ??= account.email;
    if (Array.isArray(account.impersonation)) account.impersonation = lower(account.impersonation);
  }
  for (const app of s.apps.appOnly) {
    if (Array.isArray(app.mailboxScope)) app.mailboxScope = lower(app.mailboxScope);
    if (Array.isArray(app.calendarScope)) app.calendarScope = lower(app.calendarScope);
  }
  if (s.hybrid) {
    s.hybrid.routingDomain = s.hybrid.routingDomain.toLowerCase();
    for (const user of s.users) {
      user.location ??= "onprem";
      user.synced ??= true;
    }
  }
  for (const profile of s.demoOrganization?.profiles ?? []) {
    if (profile.serviceAccount !== undefined) profile.serviceAccount = profile.serviceAccount.toLowerCase();
    if (profile.appClientId !== undefined) profile.appClientId = profile.appClientId.toLowerCase();
  }
  if (s.ewsAllowedAppIds) s.ewsAllowedAppIds = s.ewsAllowedAppIds.map((id) => id.toLowerCase());
  for (const fault of s.faults) {
    if (fault.users) fault.users = lower(fault.users);
    fault.rate ??= fault.users ? 1 : 0;
  }
  for (const entry of [...s.rooms, ...s.roomLists]) entry.email = entry.email.toLowerCase();
  for (const room of s.rooms) room.roomList = room.roomList.toLowerCase();
  return s;
}

/** Checks the cross-references a field-by-field read cannot see (duplicates, dangling room lists, scopes). */
function checkReferences(problems: string[], s: Scenario): void {
  const fail = (path: string, message: string): number => problems.push(`${path}: ${message}`);
  const seen = new Map<string, string>();
  const claim = (email: string, path: string): void => {
    const previous = seen.get(email);
    if (previous) fail(path, `duplicates the address of ${previous}`);
    else seen.set(email, path);
  };
  s.users.forEach((u, i) => claim(u.email, `users[${i}].email`));
  s.serviceAccounts.forEach((a, i) => claim(a.email, `serviceAccounts[${i}].email`));
  s.canaries.forEach((c, i) => claim(c.email, `canaries[${i}].email`));
  s.rooms.forEach((room, i) => claim(room.email, `rooms[${i}].email`));
  s.roomLists.forEach((list, i) => claim(list.email, `roomLists[${i}].email`));
  const lists = new Set(s.roomLists.map((l) => l.email));
  s.rooms.forEach((room, i) => {
    if (!lists.has(room.roomList)) fail(`rooms[${i}].roomList`, `names no entry of roomLists (${room.roomList})`);
  });
  const clientIds = new Set<string>();
  [s.apps.spa.clientId, s.apps.backend.clientId, ...s.apps.appOnly.map((a) => a.clientId)].forEach((id) => {
    if (id && clientIds.has(id)) fail("apps", `client id ${id} is used twice`);
    clientIds.add(id);
  });
  if (s.latencyMs.max < s.latencyMs.min) fail("latencyMs.max", "must not be below latencyMs.min");
  checkDemoOrganization(s, fail);
}

/** The demo organization's profiles name what the lab holds: a service account or an app, once each name. */
function checkDemoOrganization(s: Scenario, fail: (path: string, message: string) => number): void {
  const profiles = s.demoOrganization?.profiles;
  if (profiles === undefined) return;
  if (profiles.length === 0) fail("demoOrganization.profiles", "must name at least one profile");
  if (profiles.length > 0 && profiles.filter((p) => p.default).length !== 1)
    fail("demoOrganization.profiles", "must mark exactly one profile default");
  const admin = s.demoOrganization?.admin?.toLowerCase();
  if (admin !== undefined && !s.users.some((user) => user.email.toLowerCase() === admin))
    fail("demoOrganization.admin", `names no entry of users (${admin})`);
  const names = new Set<string>();
  profiles.forEach((profile, i) => {
    const path = `demoOrganization.profiles[${i}]`;
    const key = profile.name.trim().toLowerCase();
    if (names.has(key)) fail(`${path}.name`, `duplicates the profile name ${profile.name}`);
    names.add(key);
    if (profile.accessType === "graph_app_only") {
      if (profile.appClientId === undefined) fail(`${path}.appClientId`, "is required for graph_app_only");
      else if (!s.apps.appOnly.some((app) => app.clientId.toLowerCase() === profile.appClientId))
        fail(`${path}.appClientId`, `names no entry of apps.appOnly (${profile.appClientId})`);
      if (profile.serviceAccount !== undefined) fail(`${path}.serviceAccount`, "is only for the EWS access types");
    } else {
      if (profile.serviceAccount === undefined) fail(`${path}.serviceAccount`, `is required for ${profile.accessType}`);
      else if (!s.serviceAccounts.some((account) => account.email === profile.serviceAccount))
        fail(`${path}.serviceAccount`, `names no entry of serviceAccounts (${profile.serviceAccount})`);
      if (profile.appClientId !== undefined) fail(`${path}.appClientId`, "is only for graph_app_only");
    }
  });
}

/** Validates an untrusted JSON value as a scenario, filling defaults. Throws ScenarioError listing every problem. */
export function parseScenario(raw: Json, source = "(inline)"): Scenario {
  const value = Value.Default(ScenarioSchema, withoutDollarKeys(raw));
  const problems = schemaProblems(value);
  fieldRules(value, (path, message) => problems.push(`${path}: ${message}`));
  if (problems.length > 0) throw new ScenarioError(problems, source);
  const scenario = complete(value as Scenario);
  checkReferences(problems, scenario);
  if (problems.length > 0) throw new ScenarioError(problems, source);
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
