/**
 * Sign-in and roles for every /api route. The onRequest hook verifies the bearer token (routes opt out with
 * `config: { public: true }`); `requireOrgMember` / `requireOrgAdmin` are preHandlers that resolve the caller's role
 * in the :orgId organization from its user list. A caller outside the organization gets 404 (its existence is not
 * disclosed); a member who is not an admin gets 403 on admin routes.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { HttpError, forbidden, notFound, unauthorized } from "../errors.js";
import type { Membership, Organization } from "../repositories/organizations.js";
import { clientKeyOf, createFailedAuthLimiter, tooManyFailedSignIns } from "./failedAuthLimiter.js";
import { KeySetUnavailableError, TokenError, type Identity } from "./tokenVerifier.js";

export interface OrgAccess {
  org: Organization;
  /** The caller's row in the organization's user list. */
  userId: string;
  role: "admin" | "user";
}

declare module "fastify" {
  interface FastifyRequest {
    identity: Identity | null;
    orgAccess: OrgAccess | null;
  }
  interface FastifyContextConfig {
    /** No bearer token needed (health, client configuration, OpenAPI document). */
    public?: boolean;
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

/** The verified caller; routes behind the auth hook can rely on it. */
export function callerOf(request: FastifyRequest): Identity {
  if (!request.identity) throw unauthorized("No bearer token was sent.");
  return request.identity;
}

export function orgAccessOf(request: FastifyRequest): OrgAccess {
  if (!request.orgAccess) throw new Error("route is missing its requireOrgMember/requireOrgAdmin preHandler");
  return request.orgAccess;
}

const BEARER = /^Bearer[ ]+([A-Za-z0-9\-_=]+\.[A-Za-z0-9\-_=]*\.[A-Za-z0-9\-_+/=]*)$/;

/** Installs the hook and decorators on the root instance, so every route plugin sees them. */
export function installAuth(app: FastifyInstance): void {
  app.decorateRequest("identity", null);
  app.decorateRequest("orgAccess", null);
  const { rateLimit } = app.ctx.config;
  const failedSignIns = createFailedAuthLimiter({ max: rateLimit.authFailureMax, windowMs: rateLimit.windowMs });

  async function signIn(request: FastifyRequest, header: string): Promise<void> {
    const match = BEARER.exec(header);
    if (!match?.[1]) throw unauthorized("The Authorization header is not a bearer JWT.");
    try {
      request.identity = await app.ctx.tokens.verify(match[1]);
    } catch (error) {
      if (error instanceof TokenError) throw unauthorized(`The bearer token was refused: ${error.message}.`);
      if (error instanceof KeySetUnavailableError) {
        request.log.error({ err: error.cause }, error.message);
        throw new HttpError(503, "Service Unavailable", "Sign-in cannot be verified right now; try again shortly.");
      }
      throw error;
    }
  }

  // Callback style: a token verified before (the pane reuses one for many calls) is accepted synchronously.
  app.addHook("onRequest", (request, _reply, done) => {
    // Unknown routes fall through to the 404 handler; public routes need no token.
    if (request.routeOptions.url === undefined || request.routeOptions.config.public === true) return done();
    const header = request.headers.authorization ?? "";
    const identity = header.startsWith("Bearer ") ? (app.ctx.tokens.known?.(header.slice(7)) ?? null) : null;
    if (identity) {
      request.identity = identity;
      return done();
    }
    const client = clientKeyOf(request.ip);
    const retryAfter = failedSignIns.retryAfterSeconds(client);
    if (retryAfter > 0) return done(tooManyFailedSignIns(retryAfter));
    if (header === "") {
      failedSignIns.recordFailure(client);
      return done(unauthorized("No bearer token was sent."));
    }
    signIn(request, header).then(
      () => done(),
      (error: unknown) => {
        if (error instanceof HttpError && error.status === 401) failedSignIns.recordFailure(client);
        done(error as Error);
      },
    );
  });

  async function resolveAccess(request: FastifyRequest, required: "member" | "admin"): Promise<void> {
    const { orgId } = request.params as { orgId?: string };
    if (orgId === undefined) throw new Error("org routes need an :orgId parameter");
    const membership = await app.ctx.repos.organizations.membershipIn(orgId, callerOf(request).email);
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
