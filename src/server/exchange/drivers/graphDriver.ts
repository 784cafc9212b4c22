/**
 * The Graph app-only access type: client-credentials token, mailbox reads through Graph, scope enforced by RBAC for
 * Applications in Exchange Online (a user outside the management scope answers 403 ErrorAccessDenied). Preflight
 * reads the app's effective permissions (token roles, appRoleAssignments) to warn about a tenant-wide consent that
 * voids the scope; each user's check is in graphMailbox.ts.
 */
import { blocksPreflight } from "../../../contract/categories.js";
import type {
  CheckDepth,
  CheckOutcome,
  CheckTarget,
  DirectoryListing,
  DirectoryMailbox,
  MailboxDriver,
  PreflightReport,
  RoomsOutcome,
  StepOutcome,
} from "../driver.js";
import type { GraphClient } from "../graph/client.js";
import { assignedPermissions, permissionWarnings, tokenClaims } from "../graph/permissions.js";
import { permissionReport } from "../graph/requiredPermissions.js";
import type { TokenSource } from "../auth/tokenMemo.js";
import { checkGraphMailbox, type DirectoryState } from "./graphMailbox.js";
import { classifiedFields, stepOf } from "./steps.js";

interface GraphDirectoryUser {
  mail?: unknown;
  userPrincipalName?: unknown;
  displayName?: unknown;
  proxyAddresses?: unknown;
}

/** Users per page of the directory listing (Graph allows up to 999). */
const DIRECTORY_PAGE = 100;

/** A directory user with a mailbox address (mail), and the other addresses it answers to. */
function directoryMailboxOf(user: GraphDirectoryUser): DirectoryMailbox[] {
  if (typeof user.mail !== "string" || user.mail === "") return [];
  const proxies = Array.isArray(user.proxyAddresses) ? user.proxyAddresses : [];
  const others = [
    ...proxies
      .filter((proxy): proxy is string => typeof proxy === "string" && /^smtp:/i.test(proxy))
      .map((proxy) => proxy.slice(5)),
    ...(typeof user.userPrincipalName === "string" ? [user.userPrincipalName] : []),
  ].filter((address) => address.toLowerCase() !== (user.mail as string).toLowerCase());
  return [
    {
      address: user.mail,
      displayName: typeof user.displayName === "string" ? user.displayName : null,
      otherAddresses: [...new Set(others)],
    },
  ];
}

interface GraphRoom {
  emailAddress?: unknown;
  displayName?: unknown;
}

export function createGraphDriver(options: { client: GraphClient; token: TokenSource }): MailboxDriver {
  const { client } = options;
  const directory: DirectoryState = { readable: true };

  /** The consented permissions from appRoleAssignments, or null where the app may not read them. */
  async function consentedPermissions(oid: string | null, signal: AbortSignal): Promise<string[] | null> {
    if (oid === null) return null;
    const path = `/v1.0/servicePrincipals/${encodeURIComponent(oid)}/appRoleAssignments?$select=appRoleId`;
    const assignments = await client.getAll(path, signal, 5);
    return assignments.ok ? assignedPermissions(assignments.values) : null;
  }

  return {
    async preflight(signal, depth: CheckDepth = "read"): Promise<PreflightReport> {
      const steps: StepOutcome[] = [];
      const warnings: PreflightReport["warnings"] = [];
      let startedAt = performance.now();
      const token = await options.token(false, signal);
      const claims = token.ok ? tokenClaims(token.accessToken) : null;
      const roles = claims === null ? "" : `; roles in the token: ${claims.roles.join(", ") || "none"}`;
      steps.push(
        stepOf(
          "Token (client credentials)",
          token.ok ? { category: "ok", detail: `issued${roles}` } : token.classified,
          startedAt,
        ),
      );
      if (!token.ok || claims === null) return { canProceed: false, steps, warnings };

      startedAt = performance.now();
      const assigned = await consentedPermissions(claims.oid, signal);
      const consentDetail =
        assigned === null
          ? "not readable (Application.Read.All); the token's roles stand in for them"
          : `consented in Entra ID: ${assigned.join(", ") || "none"}`;
      steps.push(stepOf("Graph appRoleAssignments", { category: "ok", detail: consentDetail }, startedAt));
      warnings.push(...permissionWarnings(claims.roles, assigned));
      const permissions = permissionReport(depth, claims.roles, assigned);

      startedAt = performance.now();
      const rooms = await client.get("/v1.0/places/microsoft.graph.room?$top=1&$select=emailAddress", signal);
      steps.push(stepOf("Graph places (rooms)", rooms.classified, startedAt));
      if (!rooms.ok && blocksPreflight(rooms.classified.category)) {
        return { canProceed: false, steps, warnings, permissions };
      }
      if (!rooms.ok) {
        warnings.push({
          category: rooms.classified.category,
          message: `Rooms could not be listed (${rooms.classified.detail ?? rooms.classified.category}; grant the app Place.Read.All): rooms and resources will not be read.`,
        });
      }
      return { canProceed: true, steps, warnings, permissions };
    },

    checkUser(target: CheckTarget, depth: CheckDepth, signal: AbortSignal): Promise<CheckOutcome> {
      return checkGraphMailbox(client, directory, target.email, depth, signal);
    },

    async listDirectory(signal, limit): Promise<DirectoryListing> {
      const pages = Math.max(1, Math.ceil(limit / DIRECTORY_PAGE));
      const listed = await client.getAll(
        `/v1.0/users?$select=mail,userPrincipalName,displayName,proxyAddresses&$top=${DIRECTORY_PAGE}`,
        signal,
        pages,
      );
      if (!listed.ok) return { ok: false, ...classifiedFields(listed.classified) };
      const mailboxes = (listed.values as GraphDirectoryUser[]).flatMap(directoryMailboxOf);
      return {
        ok: true,
        mailboxes: mailboxes.slice(0, limit),
        truncated: mailboxes.length > limit || listed.values.length >= pages * DIRECTORY_PAGE,
      };
    },

    async listRooms(signal): Promise<RoomsOutcome> {
      const rooms = await client.getAll("/v1.0/places/microsoft.graph.room?$top=100", signal);
      if (!rooms.ok) return { ok: false, rooms: [], ...classifiedFields(rooms.classified) };
      return {
        ok: true,
        category: "ok",
        rooms: (rooms.values as GraphRoom[]).flatMap((room) =>
          typeof room.emailAddress === "string"
            ? [
                {
                  name: typeof room.displayName === "string" ? room.displayName : room.emailAddress,
                  email: room.emailAddress,
                  roomList: null,
                },
              ]
            : [],
        ),
      };
    },
  };
}
