/**
 * The app's effective Graph application permissions and what they mean for a check (DOMAIN.md, "Exchange Online
 * app-only in practice"): grants add up, so a mail or calendar permission consented tenant-wide in Entra ID reaches
 * every mailbox and voids the RBAC for Applications scope. RBAC grants show in no token and no Graph API; each
 * user's check proves them. Entra-side permissions the product needs are named when missing (requiredPermissions.ts
 * lists them all).
 */
import type { CategoryId } from "../../../contract/categories.js";
import { REQUIRED_GRAPH_PERMISSIONS } from "./requiredPermissions.js";

/**
 * Microsoft Graph's app role ids (what servicePrincipals/{id}/appRoleAssignments carries), checked against the Graph
 * permissions reference. Delegated permissions have other ids; only application permissions are listed here.
 */
export const GRAPH_APP_ROLES: Readonly<Record<string, string>> = {
  "810c84a8-4a9e-49e6-bf7d-12d183f40d01": "Mail.Read",
  "e2a3a72e-5f79-4c64-b1b1-878b674786c9": "Mail.ReadWrite",
  "693c5e45-0940-467d-9b8a-1022fb9d42ef": "Mail.ReadBasic.All",
  "6be147d2-ea4f-4b5a-a3fa-3eab6f3c140a": "Mail.ReadBasic",
  "798ee544-9d2d-430c-a058-570e29e34338": "Calendars.Read",
  "ef54d2bf-783f-4e0f-bca1-3210c0444d99": "Calendars.ReadWrite",
  "8ba4a692-bc31-4128-9094-475872af8a53": "Calendars.ReadBasic.All",
  "df021288-bdef-4463-88db-98f22de89214": "User.Read.All",
  "741f803b-c850-494e-b5df-cde7c675a1ca": "User.ReadWrite.All",
  "7ab1d382-f21e-4acd-a863-ba3e13f7da61": "Directory.Read.All",
  "913b9306-0ce1-42b8-9137-6a7df690a760": "Place.Read.All",
  "9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30": "Application.Read.All",
};

/** Permissions that reach into mailboxes: granted tenant-wide they make the RBAC scope meaningless. */
export const MAILBOX_PERMISSIONS: ReadonlySet<string> = new Set([
  "Mail.Read",
  "Mail.ReadBasic",
  "Mail.ReadBasic.All",
  "Mail.ReadWrite",
  "Calendars.Read",
  "Calendars.ReadBasic",
  "Calendars.ReadBasic.All",
  "Calendars.ReadWrite",
]);

export interface TokenClaims {
  roles: string[];
  /** The service principal's object id. */
  oid: string | null;
}

/**
 * The claims of the app's own access token. Read without verifying: Graph verifies it; the product only explains
 * which permissions the identity provider put in it.
 */
export function tokenClaims(accessToken: string): TokenClaims {
  try {
    const payload = JSON.parse(Buffer.from(accessToken.split(".")[1] ?? "", "base64url").toString("utf8")) as {
      roles?: unknown;
      oid?: unknown;
    };
    const roles = Array.isArray(payload.roles) ? payload.roles.filter((r): r is string => typeof r === "string") : [];
    return { roles, oid: typeof payload.oid === "string" ? payload.oid : null };
  } catch {
    return { roles: [], oid: null };
  }
}

/** Permission names of an appRoleAssignments answer's value (unknown role ids are left out). */
export function assignedPermissions(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((assignment) => {
    const id = (assignment as { appRoleId?: unknown }).appRoleId;
    const name = typeof id === "string" ? GRAPH_APP_ROLES[id.toLowerCase()] : undefined;
    return name === undefined ? [] : [name];
  });
}

/**
 * Warnings for preflight. `assigned` (null when unreadable) is the current consent; the token's roles can lag a
 * revoked consent by its lifetime, so they are used only when the assignments cannot be read.
 */
export function permissionWarnings(
  roles: readonly string[],
  assigned: readonly string[] | null,
): Array<{ category: CategoryId; message: string }> {
  const consented = assigned ?? roles;
  const source = assigned === null ? "the app's token carries it" : "the app's role assignments in Entra ID list it";
  const warnings: Array<{ category: CategoryId; message: string }> = [];
  for (const permission of [...new Set(consented)].filter((p) => MAILBOX_PERMISSIONS.has(p))) {
    warnings.push({
      category: "tenant_wide_consent",
      message: `${permission} is consented tenant-wide in Entra ID (${source}): it adds to the RBAC for Applications scope, so the app reaches every mailbox and the scope has no effect. Remove the ${permission} application permission (Entra admin center → Enterprise applications → the app → Permissions) and keep the "Application ${permission}" role assignment in Exchange Online.`,
    });
  }
  const held = new Set([...roles, ...(assigned ?? [])]);
  for (const needed of REQUIRED_GRAPH_PERMISSIONS) {
    // Mail and calendars come from RBAC for Applications, which no API shows; rooms have a step of their own.
    if (needed.rbacRole !== null || needed.without === null || needed.anyOf.some((p) => held.has(p))) continue;
    warnings.push({
      category: "permission_missing",
      message: `The app lacks the ${needed.permission} application permission (with admin consent): ${needed.without}. Mail.Read and Calendars.Read come from RBAC for Applications, which no API shows: each user's check proves them.`,
    });
  }
  return warnings;
}
