/**
 * The Graph application permissions the product needs, per check depth, and which of them the app holds as far as
 * Entra ID shows (its token's roles, its role assignments). Mail and calendar permissions are meant to come from RBAC
 * for Applications in Exchange Online, scoped to the organization's users; no token or API shows those grants, so for
 * them "missing" says only that Entra ID shows none, and each user's check proves the grant.
 */
import type { CheckPermissionDto } from "../../../contract/checks.js";
import type { CheckDepth } from "../driver.js";

export interface RequiredPermission {
  permission: string;
  /** Permissions that cover it, itself first (a broader one such as Mail.ReadWrite also reads mail). */
  anyOf: string[];
  usedFor: string;
  /** The depths that need it. */
  depths: readonly CheckDepth[];
  /** The RBAC for Applications role that grants it scoped, or null where only an Entra ID consent can. */
  rbacRole: string | null;
  /** What breaks without it, for the preflight warning; null where a step of its own reports it (rooms). */
  without: string | null;
}

const BOTH: readonly CheckDepth[] = ["read", "full"];

export const REQUIRED_GRAPH_PERMISSIONS: readonly RequiredPermission[] = [
  {
    permission: "User.Read.All",
    anyOf: [
      "User.Read.All",
      "User.ReadBasic.All",
      "Directory.Read.All",
      "User.ReadWrite.All",
      "Directory.ReadWrite.All",
    ],
    usedFor: "looking users up in the directory, to tell aliases from primary addresses",
    depths: BOTH,
    rbacRole: null,
    without: "aliases cannot be told from primary addresses",
  },
  {
    permission: "Mail.Read",
    anyOf: ["Mail.Read", "Mail.ReadWrite"],
    usedFor: "reading mail",
    depths: BOTH,
    rbacRole: "Application Mail.Read",
    without: null,
  },
  {
    permission: "Calendars.Read",
    anyOf: ["Calendars.Read", "Calendars.ReadWrite"],
    usedFor: "reading calendars",
    depths: BOTH,
    rbacRole: "Application Calendars.Read",
    without: null,
  },
  {
    permission: "Mail.ReadWrite",
    anyOf: ["Mail.ReadWrite"],
    usedFor: "creating and deleting the full-depth test draft",
    depths: ["full"],
    rbacRole: "Application Mail.ReadWrite",
    without: null,
  },
  {
    permission: "Place.Read.All",
    anyOf: ["Place.Read.All"],
    usedFor: "listing rooms and resources",
    depths: BOTH,
    rbacRole: null,
    without: null,
  },
];

/**
 * Every permission `depth` needs, present or missing. `assigned` (null when unreadable) is the app's current Entra ID
 * consent; the token's roles are the other source. An assignment is named before the token: it is the consent.
 */
export function permissionReport(
  depth: CheckDepth,
  roles: readonly string[],
  assigned: readonly string[] | null,
): CheckPermissionDto[] {
  const inToken = new Set(roles);
  const inAssignments = new Set(assigned ?? []);
  return REQUIRED_GRAPH_PERMISSIONS.filter((needed) => needed.depths.includes(depth)).map((needed) => {
    const consented = needed.anyOf.find((p) => inAssignments.has(p));
    const carried = needed.anyOf.find((p) => inToken.has(p));
    const heldAs = consented ?? carried ?? null;
    return {
      permission: needed.permission,
      usedFor: needed.usedFor,
      state: heldAs === null ? "missing" : "present",
      heldAs,
      seenIn: consented !== undefined ? "role_assignments" : carried !== undefined ? "token" : null,
      rbacRole: needed.rbacRole,
    };
  });
}
