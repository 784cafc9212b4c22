/**
 * Graph application permissions as the lab grants them: the roles each endpoint needs, the app role ids Microsoft
 * Graph publishes (what servicePrincipals/{id}/appRoleAssignments carries), and RBAC for Applications per permission
 * (mail and calendars may have different scopes). A tenant-wide Entra consent adds to the RBAC scope: it reaches every
 * mailbox.
 */
import type { Caller } from "../auth.js";
import { Directory, type DirectoryEntry } from "../directory.js";
import type { AppOnlyRegistration } from "../scenario.js";

export const USER_ROLES = ["User.Read.All", "User.ReadBasic.All", "Directory.Read.All", "User.ReadWrite.All"];
export const MAIL_ROLES = ["Mail.Read", "Mail.ReadBasic", "Mail.ReadBasic.All", "Mail.ReadWrite"];
export const MAIL_WRITE_ROLES = ["Mail.ReadWrite"];
export const CALENDAR_ROLES = ["Calendars.Read", "Calendars.ReadBasic", "Calendars.ReadWrite"];
export const PLACE_ROLES = ["Place.Read.All"];

/** Microsoft Graph's published app role ids (resource 00000003-0000-0000-c000-000000000000). */
export const GRAPH_APP_ROLE_IDS: Readonly<Record<string, string>> = {
  "Mail.Read": "810c84a8-4a9e-49e6-bf7d-12d183f40d01",
  "Mail.ReadWrite": "e2a3a72e-5f79-4c64-b1b1-878b674786c9",
  "Mail.ReadBasic.All": "693c5e45-0940-467d-9b8a-1022fb9d42ef",
  "Calendars.Read": "798ee544-9d2d-430c-a058-570e29e34338",
  "Calendars.ReadWrite": "ef54d2bf-783f-4e0f-bca1-3210c0444d99",
  "User.Read.All": "df021288-bdef-4463-88db-98f22de89214",
  "Place.Read.All": "913b9306-0ce1-42b8-9137-6a7df690a760",
  "Application.Read.All": "9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30",
};

export function hasAny(caller: Caller, roles: readonly string[]): boolean {
  if (caller.kind === "appOnly") return roles.some((r) => caller.roles.has(r));
  return false;
}

/** Whether the app reaches this mailbox's mail or calendar: a tenant-wide consent, or an RBAC grant in its scope. */
export function reaches(app: AppOnlyRegistration, scope: "mail" | "calendar", target: DirectoryEntry): boolean {
  const consentRoles = scope === "calendar" ? CALENDAR_ROLES : MAIL_ROLES;
  if ((app.tenantWideConsent ?? []).some((role) => consentRoles.includes(role))) return true;
  const rbacScope = scope === "calendar" ? (app.calendarScope ?? app.mailboxScope) : app.mailboxScope;
  return Directory.covers(rbacScope, target);
}

/** The app's consented Graph application permissions, as GET servicePrincipals/{id}/appRoleAssignments lists them. */
export function appRoleAssignments(app: AppOnlyRegistration, graphResourceId: string): unknown[] {
  const consented = [...(app.roles["https://graph.microsoft.com"] ?? []), ...(app.tenantWideConsent ?? [])];
  // Mail and calendar roles in `roles` stand for RBAC for Applications grants, which Entra does not list.
  const listed = [...new Set(consented)].filter(
    (role) =>
      (app.tenantWideConsent ?? []).includes(role) || (!MAIL_ROLES.includes(role) && !CALENDAR_ROLES.includes(role)),
  );
  return listed.flatMap((role) => {
    const appRoleId = GRAPH_APP_ROLE_IDS[role];
    if (appRoleId === undefined) return [];
    return [
      {
        id: Buffer.from(`${app.clientId}:${role}`).toString("base64url"),
        appRoleId,
        createdDateTime: "2026-10-01T08:00:00Z",
        principalDisplayName: app.displayName,
        principalId: app.clientId,
        principalType: "ServicePrincipal",
        resourceDisplayName: "Microsoft Graph",
        resourceId: graphResourceId,
      },
    ];
  });
}
