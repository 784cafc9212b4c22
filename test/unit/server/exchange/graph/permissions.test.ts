import { describe, expect, it } from "vitest";
import type { GraphOutcome } from "../../../../../src/server/exchange/graph/classify.js";
import {
  MAILBOX_ATTEMPTS,
  checkGraphMailbox,
  withMailboxRetry,
} from "../../../../../src/server/exchange/drivers/graphMailbox.js";
import type { GraphClient } from "../../../../../src/server/exchange/graph/client.js";
import {
  assignedPermissions,
  permissionWarnings,
  tokenClaims,
} from "../../../../../src/server/exchange/graph/permissions.js";
import { permissionReport } from "../../../../../src/server/exchange/graph/requiredPermissions.js";

function unsignedToken(claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${part({ alg: "RS256", typ: "JWT" })}.${part(claims)}.signature`;
}

describe("the app's effective Graph permissions", () => {
  it("reads roles and the service principal id from the app's token", () => {
    const token = unsignedToken({ roles: ["Mail.Read", "User.Read.All"], oid: "5b1c", idtyp: "app" });
    expect(tokenClaims(token)).toEqual({ roles: ["Mail.Read", "User.Read.All"], oid: "5b1c" });
    expect(tokenClaims("not a token")).toEqual({ roles: [], oid: null });
  });

  it("names the permissions of appRoleAssignments by Graph's app role ids", () => {
    expect(
      assignedPermissions([
        { appRoleId: "810c84a8-4a9e-49e6-bf7d-12d183f40d01", resourceDisplayName: "Microsoft Graph" },
        { appRoleId: "df021288-bdef-4463-88db-98f22de89214", resourceDisplayName: "Microsoft Graph" },
        { appRoleId: "00000000-0000-0000-0000-000000000000", resourceDisplayName: "Other API" },
      ]),
    ).toEqual(["Mail.Read", "User.Read.All"]);
    expect(
      assignedPermissions([
        { appRoleId: "8ba4a692-bc31-4128-9094-475872af8a53" },
        { appRoleId: "7AB1D382-F21E-4ACD-A863-BA3E13F7DA61" },
      ]),
    ).toEqual(["Calendars.ReadBasic.All", "Directory.Read.All"]);
    // The application name of the basic calendar permission reaches every calendar as well.
    expect(permissionWarnings(["User.Read.All"], ["Calendars.ReadBasic.All"])[0]).toMatchObject({
      category: "tenant_wide_consent",
    });
  });

  it("warns of a tenant-wide mail consent from the assignments, which win over the token's roles", () => {
    const warnings = permissionWarnings(["User.Read.All"], ["Mail.Read", "User.Read.All"]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ category: "tenant_wide_consent" });
    expect(warnings[0]!.message).toMatch(
      /^Mail\.Read is consented tenant-wide in Entra ID \(the app's role assignments/,
    );
    // The consent was revoked: the assignments no longer list it, the token still carries it.
    expect(permissionWarnings(["Mail.Read", "User.Read.All"], ["User.Read.All"])).toEqual([]);
  });

  it("falls back to the token's roles where the assignments cannot be read, and names a missing User.Read.All", () => {
    const warnings = permissionWarnings(["Calendars.Read"], null);
    expect(warnings.map((w) => w.category)).toEqual(["tenant_wide_consent", "permission_missing"]);
    expect(warnings[0]!.message).toContain(
      "Calendars.Read is consented tenant-wide in Entra ID (the app's token carries it)",
    );
    expect(warnings[1]!.message).toContain("lacks the User.Read.All application permission");
  });
});

describe("the permissions the product needs, per depth", () => {
  const byName = (report: ReturnType<typeof permissionReport>) =>
    Object.fromEntries(report.map((entry) => [entry.permission, entry]));

  it("lists directory, mail, calendar and rooms for read depth, each present or missing, and where it was seen", () => {
    const report = permissionReport("read", ["Calendars.Read", "User.Read.All"], ["User.Read.All", "Mail.Read"]);
    expect(report.map((entry) => entry.permission)).toEqual([
      "User.Read.All",
      "Mail.Read",
      "Calendars.Read",
      "Place.Read.All",
    ]);
    const entries = byName(report);
    expect(entries["User.Read.All"]).toMatchObject({ state: "present", seenIn: "role_assignments", rbacRole: null });
    expect(entries["Mail.Read"]).toMatchObject({ state: "present", heldAs: "Mail.Read", seenIn: "role_assignments" });
    expect(entries["Calendars.Read"]).toMatchObject({
      state: "present",
      seenIn: "token",
      rbacRole: "Application Calendars.Read",
    });
    expect(entries["Place.Read.All"]).toMatchObject({ state: "missing", heldAs: null, seenIn: null });
  });

  it("adds Mail.ReadWrite at full depth, where it also covers Mail.Read", () => {
    const entries = byName(permissionReport("full", ["Mail.ReadWrite"], null));
    expect(entries["Mail.ReadWrite"]).toMatchObject({ state: "present", seenIn: "token" });
    expect(entries["Mail.Read"]).toMatchObject({ state: "present", heldAs: "Mail.ReadWrite" });
    expect(entries["Calendars.Read"]).toMatchObject({ state: "missing", rbacRole: "Application Calendars.Read" });
    expect(entries["User.Read.All"]).toMatchObject({ state: "missing", rbacRole: null });
    expect(byName(permissionReport("read", [], null))["Mail.ReadWrite"]).toBeUndefined();
  });

  it("names a broader directory permission that covers User.Read.All", () => {
    const entries = byName(permissionReport("read", ["Directory.Read.All"], null));
    expect(entries["User.Read.All"]).toMatchObject({ state: "present", heldAs: "Directory.Read.All" });
    expect(permissionWarnings(["Directory.Read.All"], null)).toEqual([]);
  });
});

describe("a mailbox's own throttling", () => {
  const throttled = (retryAfterMs: number): GraphOutcome => ({
    ok: false,
    classified: {
      category: "mailbox_throttled",
      detail: "ApplicationThrottled: Application is over its MailboxConcurrency limit.",
      httpStatus: 429,
      backOffMs: retryAfterMs,
    },
  });
  const ok: GraphOutcome = { ok: true, json: {}, classified: { category: "ok", httpStatus: 200 } };

  it("waits out the mailbox's Retry-After and answers once the mailbox does", async () => {
    const answers = [throttled(30), throttled(30), ok];
    const started = performance.now();
    const outcome = await withMailboxRetry(() => Promise.resolve(answers.shift()!), new AbortController().signal);
    expect(outcome).toBe(ok);
    expect(performance.now() - started).toBeGreaterThanOrEqual(55);
  });

  it("says mailbox_throttled only when the mailbox stays throttled after its attempts", async () => {
    let calls = 0;
    const outcome = await withMailboxRetry(() => {
      calls += 1;
      return Promise.resolve(throttled(1));
    }, new AbortController().signal);
    expect(calls).toBe(MAILBOX_ATTEMPTS);
    expect(outcome.classified).toMatchObject({ category: "mailbox_throttled", httpStatus: 429 });
    expect(outcome.classified.detail).toContain(`still throttled after ${MAILBOX_ATTEMPTS} attempts`);
  });
});

describe("directory throttling", () => {
  it("leaves a 429 on /users to the runner (throttled with its Retry-After, which pauses the run) and reads no mailbox", async () => {
    const asked: string[] = [];
    const client: GraphClient = {
      get: (path) => {
        asked.push(path);
        return Promise.resolve({
          ok: false,
          classified: {
            category: "throttled",
            detail: "TooManyRequests: Too many requests.",
            httpStatus: 429,
            backOffMs: 1_500,
          },
        });
      },
      send: () => Promise.reject(new Error("no write expected")),
      getAll: () => Promise.reject(new Error("no listing expected")),
    };
    const outcome = await checkGraphMailbox(
      client,
      { readable: true },
      "adam@fabrikam.lab",
      "read",
      new AbortController().signal,
    );
    expect(outcome).toMatchObject({ category: "throttled", backOffMs: 1_500, httpStatus: 429 });
    expect(asked).toEqual(["/v1.0/users/adam%40fabrikam.lab?$select=id,mail,userPrincipalName"]);
  });
});
