/**
 * Every authenticated route across the access matrix: no token, a bad token, a plain user of the organization, an
 * admin of another organization, and the organization's admin. Refused callers change nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestBackend, type TestBackend } from "../../support/backend.js";

type Caller = "none" | "bad" | "user" | "otherAdmin" | "admin";
type Scope = "self" | "member" | "admin";

interface RouteCase {
  name: string;
  scope: Scope;
  method: "GET" | "POST" | "PATCH" | "PUT" | "DELETE";
  url: () => string;
  body?: (caller: Caller) => unknown;
  headers?: Record<string, string>;
  ok: number;
}

let backend: TestBackend;
let orgId = "";
let plainUserId = "";
let victimId = "";
const tokens: Partial<Record<Caller, string>> = {};

beforeAll(async () => {
  backend = await createTestBackend();
  const contoso = await backend.seedOrg({
    name: "Contoso",
    admin: "admin@contoso.com",
    users: ["user@contoso.com", "victim@contoso.com"],
  });
  await backend.seedOrg({ name: "Fabrikam", admin: "admin@fabrikam.com" });
  orgId = contoso.orgId;
  plainUserId = contoso.userIds["user@contoso.com"]!;
  victimId = contoso.userIds["victim@contoso.com"]!;
  tokens.bad = "Bearer eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJ4In0.c2lnbmF0dXJl";
  tokens.user = await backend.bearer("user@contoso.com");
  tokens.otherAdmin = await backend.bearer("admin@fabrikam.com");
  tokens.admin = await backend.bearer("admin@contoso.com");
});

afterAll(async () => {
  await backend.close();
});

const routes: RouteCase[] = [
  { name: "GET /api/me", scope: "self", method: "GET", url: () => "/api/me", ok: 200 },
  { name: "GET /api/me/mailbox-status", scope: "self", method: "GET", url: () => "/api/me/mailbox-status", ok: 200 },
  { name: "GET /api/orgs", scope: "self", method: "GET", url: () => "/api/orgs", ok: 200 },
  { name: "GET /api/orgs/{orgId}", scope: "member", method: "GET", url: () => `/api/orgs/${orgId}`, ok: 200 },
  { name: "GET users", scope: "admin", method: "GET", url: () => `/api/orgs/${orgId}/users`, ok: 200 },
  {
    name: "POST users",
    scope: "admin",
    method: "POST",
    url: () => `/api/orgs/${orgId}/users`,
    body: (caller) => ({ email: `added-by-${caller}@contoso.com` }),
    ok: 201,
  },
  {
    name: "PATCH users/{userId}",
    scope: "admin",
    method: "PATCH",
    url: () => `/api/orgs/${orgId}/users/${plainUserId}`,
    body: (caller) => ({ displayName: `renamed by ${caller}` }),
    ok: 200,
  },
  {
    name: "DELETE users/{userId}",
    scope: "admin",
    method: "DELETE",
    url: () => `/api/orgs/${orgId}/users/${victimId}`,
    ok: 204,
  },
  { name: "GET email-config", scope: "admin", method: "GET", url: () => `/api/orgs/${orgId}/email-config`, ok: 200 },
  {
    name: "PUT email-config",
    scope: "admin",
    method: "PUT",
    url: () => `/api/orgs/${orgId}/email-config`,
    headers: { "if-match": '"0"' },
    body: () => ({ accessType: "ews_oauth_impersonation", ewsUrl: "https://outlook.office365.com/EWS/Exchange.asmx" }),
    ok: 200,
  },
  { name: "GET audit", scope: "admin", method: "GET", url: () => `/api/orgs/${orgId}/audit`, ok: 200 },
  { name: "GET audit.csv", scope: "admin", method: "GET", url: () => `/api/orgs/${orgId}/audit.csv`, ok: 200 },
  {
    name: "POST sidebar-reports",
    scope: "member",
    method: "POST",
    url: () => `/api/orgs/${orgId}/sidebar-reports`,
    body: () => ({
      ...{ client: "OutlookWebApp", platform: "OfficeOnline", clientVersion: null, addinVersion: "0.1.0" },
      ...{ manifest: "xml", mailboxVersion: "1.14", nestedAppAuth: false, signInPath: "popup", signInFailure: null },
    }),
    ok: 200,
  },
  { name: "GET reach/users", scope: "admin", method: "GET", url: () => `/api/orgs/${orgId}/reach/users`, ok: 200 },
  { name: "GET reach/summary", scope: "admin", method: "GET", url: () => `/api/orgs/${orgId}/reach/summary`, ok: 200 },
];

function expected(route: RouteCase, caller: Caller): number {
  if (caller === "none" || caller === "bad") return 401;
  if (route.scope === "self") return route.ok;
  if (caller === "otherAdmin") return 404;
  if (caller === "user") return route.scope === "admin" ? 403 : route.ok;
  return route.ok;
}

const callers: Caller[] = ["none", "bad", "user", "otherAdmin", "admin"];

describe.each(routes)("$name", (route) => {
  it.each(callers)("answers the %s caller with the status its role allows", async (caller) => {
    const authorization = tokens[caller];
    const response = await backend.app.inject({
      method: route.method,
      url: route.url(),
      headers: { ...(authorization ? { authorization } : {}), ...route.headers },
      ...(route.body ? { payload: route.body(caller) as object } : {}),
    });
    const status = expected(route, caller);
    expect(response.statusCode, response.body).toBe(status);
    if (status >= 400) {
      expect(response.headers["content-type"]).toContain("application/problem+json");
      expect(response.json()).toMatchObject({ status });
    }
    if (status === 401) expect(response.headers["www-authenticate"]).toMatch(/^Bearer /);
    expect(response.headers["cache-control"], "no cache may keep a signed-in answer").toBe("no-store");
  });
});

describe("refused callers", () => {
  it("left no trace: only the admin's user was added and only the admin's rename and removal happened", async () => {
    const users = await backend.repos.users.list(orgId, { limit: 100 });
    const emails = users.items.map((u) => u.email).sort();
    expect(emails).toEqual(["added-by-admin@contoso.com", "admin@contoso.com", "user@contoso.com"]);
    expect(users.items.find((u) => u.id === plainUserId)?.displayName).toBe("renamed by admin");
    const config = await backend.repos.emailConfigs.get(orgId);
    expect(config.version).toBe(1);
    expect(config.updatedBy).toBe("admin@contoso.com");
  });
});
