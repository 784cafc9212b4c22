/** Organizations the caller belongs to. Organizations are created with the admin CLI (or BOOTSTRAP_ADMIN). */
import type { FastifyInstance } from "fastify";
import type { Static } from "@sinclair/typebox";
import type { OrgDto, Page } from "../../contract/api.js";
import { callerOf } from "../auth/access.js";
import { orgAccessOf, visibleMemberships } from "./access.js";
import type { Organization } from "./repository.js";
import { AUTH_ERRORS, OrgParams, PageOf, errorResponses } from "../http/schemas.js";
import { OrgSchema } from "./schemas.js";

export function orgRoutes(app: FastifyInstance): Promise<void> {
  const { repos } = app.ctx;
  const toDto = async (org: Organization, role: "admin" | "user"): Promise<OrgDto> => ({
    id: org.id,
    name: org.name,
    tenantId: org.tenantId,
    role,
    userCount: await repos.organizations.userCount(org.id),
    createdAt: org.createdAt,
  });

  app.get(
    "/orgs",
    {
      schema: {
        tags: ["orgs"],
        summary: "Organizations the caller belongs to, with their role",
        response: { 200: PageOf(OrgSchema), ...errorResponses(...AUTH_ERRORS) },
      },
    },
    async (request): Promise<Page<OrgDto>> => {
      const identity = callerOf(request);
      const memberships = visibleMemberships(await repos.organizations.membershipsOf(identity.email), identity);
      return { items: await Promise.all(memberships.map((m) => toDto(m.org, m.role))), nextCursor: null };
    },
  );

  app.get<{ Params: Static<typeof OrgParams> }>(
    "/orgs/:orgId",
    {
      preHandler: app.requireOrgMember,
      schema: {
        tags: ["orgs"],
        summary: "One organization (members only; 404 for anyone else)",
        params: OrgParams,
        response: { 200: OrgSchema, ...errorResponses(...AUTH_ERRORS, 404) },
      },
    },
    async (request): Promise<OrgDto> => {
      const access = orgAccessOf(request);
      return toDto(access.org, access.role);
    },
  );
  return Promise.resolve();
}
