/** Sidebar reach: the pane reports for its own user; admins read who has the sidebar and where. */
import type { FastifyInstance } from "fastify";
import type { Static } from "@sinclair/typebox";
import type { ReachSummaryDto, SidebarReportResultDto, UserReachDto } from "../../contract/reach.js";
import { AUTH_ERRORS, OrgParams, errorResponses } from "../http/schemas.js";
import { orgAccessOf } from "../orgs/access.js";
import {
  ReachSummarySchema,
  ReachUsersQuery,
  SidebarReportResultSchema,
  SidebarReportSchema,
  UserReachListSchema,
} from "./schemas.js";
import { reachSummary, reachUsers, recordSidebarReport } from "./service.js";

const MEMBER_ERRORS = [...AUTH_ERRORS, 404] as const;
const ADMIN_ERRORS = [...AUTH_ERRORS, 403, 404] as const;

export function reachRoutes(app: FastifyInstance): Promise<void> {
  const { repos, now } = app.ctx;

  app.post<{ Params: Static<typeof OrgParams>; Body: Static<typeof SidebarReportSchema> }>(
    "/orgs/:orgId/sidebar-reports",
    {
      preHandler: app.requireOrgMember,
      schema: {
        tags: ["reach"],
        summary: "The pane reports where it runs, for the caller's own user (at most one stored per hour)",
        params: OrgParams,
        body: SidebarReportSchema,
        response: { 200: SidebarReportResultSchema, ...errorResponses(...MEMBER_ERRORS) },
      },
    },
    async (request): Promise<SidebarReportResultDto> => {
      // The user is the caller's own row in this organization, never one named in the request.
      const { org, userId } = orgAccessOf(request);
      return { recorded: await recordSidebarReport(repos, org.id, userId, request.body, now()) };
    },
  );

  app.get<{ Params: Static<typeof OrgParams>; Querystring: Static<typeof ReachUsersQuery> }>(
    "/orgs/:orgId/reach/users",
    {
      preHandler: app.requireOrgAdmin,
      schema: {
        tags: ["reach"],
        summary: "Users with their latest sidebar report (or, filtered, those who never opened it or fail to sign in)",
        params: OrgParams,
        querystring: ReachUsersQuery,
        response: { 200: UserReachListSchema, ...errorResponses(...ADMIN_ERRORS) },
      },
    },
    async (request): Promise<{ items: UserReachDto[] }> => ({
      items: await reachUsers(repos, request.params.orgId, request.query.filter, now()),
    }),
  );

  app.get<{ Params: Static<typeof OrgParams> }>(
    "/orgs/:orgId/reach/summary",
    {
      preHandler: app.requireOrgAdmin,
      schema: {
        tags: ["reach"],
        summary: "Users who opened the sidebar in the last 7 days out of those whose mailbox is connected, per client",
        params: OrgParams,
        response: { 200: ReachSummarySchema, ...errorResponses(...ADMIN_ERRORS) },
      },
    },
    async (request): Promise<ReachSummaryDto> => reachSummary(repos, request.params.orgId, now()),
  );
  return Promise.resolve();
}
