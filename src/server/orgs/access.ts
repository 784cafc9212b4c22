/**
 * Roles in an organization: `requireOrgMember` / `requireOrgAdmin` are preHandlers that resolve the caller's role in
 * the :orgId organization from its user list. A caller outside the organization gets 404 (its existence is not
 * disclosed); a member who is not an admin gets 403 on admin routes.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { callerOf } from "../auth/access.js";
import type { Identity } from "../auth/tokenVerifier.js";
import { forbidden, notFound } from "../errors.js";
import type { Membership, Organization } from "./repository.js";

export interface OrgAccess {
  org: Organization;
  /** The caller's row in the organization's user list. */
  userId: string;
  role: "admin" | "user";
}

declare module "fastify" {
  interface FastifyRequest {
    orgAccess: OrgAccess | null;
  }
  interface FastifyInstance {
    requireOrgMember: (request: FastifyRequest) => Promise<void>;
    requireOrgAdmin: (request: FastifyRequest) => Promise<void>;
  }
}

/**
 * A token may act in an organization bound to a tenant only when it comes from that tenant; a token without tid
 * (another issuer, a personal account) acts only in organizations bound to no tenant.
 */
export function tenantMatches(org: Organization, identity: Identity): boolean {
  return org.tenantId === null || org.tenantId === identity.tenantId;
}

export function visibleMemberships(memberships: Membership[], identity: Identity): Membership[] {
  return memberships.filter((membership) => tenantMatches(membership.org, identity));
}

export function orgAccessOf(request: FastifyRequest): OrgAccess {
  if (!request.orgAccess) throw new Error("route is missing its requireOrgMember/requireOrgAdmin preHandler");
  return request.orgAccess;
}

/** Installs the role preHandlers on the root instance; `membershipIn` looks the caller up in an organization. */
export function installOrgAccess(
  app: FastifyInstance,
  membershipIn: (orgId: string, email: string) => Promise<Membership | null>,
): void {
  app.decorateRequest("orgAccess", null);
  async function resolveAccess(request: FastifyRequest, required: "member" | "admin"): Promise<void> {
    const { orgId } = request.params as { orgId?: string };
    if (orgId === undefined) throw new Error("org routes need an :orgId parameter");
    const membership = await membershipIn(orgId, callerOf(request).email);
    grantOrgAccess(request, membership, required);
  }

  app.decorate("requireOrgMember", (request: FastifyRequest) => resolveAccess(request, "member"));
  app.decorate("requireOrgAdmin", (request: FastifyRequest) => resolveAccess(request, "admin"));
}

/**
 * The access rule of every org route, applied to the caller's membership as looked up for :orgId: none (or one
 * from another tenant) is 404, a member where an admin is required is 403. Records and returns the access.
 * requireOrgMember/requireOrgAdmin call it; a route that reads the membership together with its own data (one
 * query instead of two) calls it before using that data.
 */
export function grantOrgAccess(
  request: FastifyRequest,
  membership: Membership | null,
  required: "member" | "admin",
): OrgAccess {
  if (!membership || !tenantMatches(membership.org, callerOf(request))) throw notFound("Organization");
  if (required === "admin" && membership.role !== "admin") {
    throw forbidden("Only an administrator of this organization may do this.");
  }
  const access: OrgAccess = { org: membership.org, userId: membership.userId, role: membership.role };
  request.orgAccess = access;
  return access;
}
