/** Organizations the caller belongs to. Organizations are created with the admin CLI (or BOOTSTRAP_ADMIN). */
import type { FastifyInstance } from "fastify";
import type { Static } from "@sinclair/typebox";
import type { OrgDto, Page } from "../../contract/api.js";
import { callerOf } from "../auth/access.js";
import { orgAccessOf } from "./access.js";
import { membershipsOf, toOrgDto } from "./service.js";
import { AUTH_ERRORS, OrgParams, PageOf, errorResponses } from "../http/schemas.js";
import { OrgSchema } from "./schemas.js";

export function orgRoutes(app: FastifyInstance): Promise<void> {
  const { repos } = app.ctx;

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
      const memberships = await membershipsOf(repos, callerOf(request));
      return { items: await Promise.all(memberships.map((m) => toOrgDto(repos, m.org, m.role))), nextCursor: null };
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
      return toOrgDto(repos, access.org, access.role);
    },
  );
  return Promise.resolve();
}
