/** The organization's audit trail (admins only): newest first, cursor-paged, or all of it as CSV. */
import type { FastifyInstance } from "fastify";
import type { Static } from "@sinclair/typebox";
import type { AuditEventDto, Page } from "../../contract/api.js";
import { AUTH_ERRORS, OrgParams, PageOf, errorResponses } from "../http/schemas.js";
import { AuditEventSchema, AuditQuery } from "./schemas.js";
import { auditCsv, auditPage } from "./service.js";

const ADMIN_ERRORS = [...AUTH_ERRORS, 403, 404] as const;

export function auditRoutes(app: FastifyInstance): Promise<void> {
  const { repos } = app.ctx;

  app.get<{ Params: Static<typeof OrgParams>; Querystring: Static<typeof AuditQuery> }>(
    "/orgs/:orgId/audit",
    {
      preHandler: app.requireOrgAdmin,
      schema: {
        tags: ["audit"],
        summary: "Audit events, newest first (secrets redacted)",
        params: OrgParams,
        querystring: AuditQuery,
        response: { 200: PageOf(AuditEventSchema), ...errorResponses(...ADMIN_ERRORS) },
      },
    },
    async (request): Promise<Page<AuditEventDto>> => {
      const { cursor, limit } = request.query;
      return auditPage(repos, request.params.orgId, { cursor, limit: limit ?? 50 });
    },
  );

  app.get<{ Params: Static<typeof OrgParams> }>(
    "/orgs/:orgId/audit.csv",
    {
      preHandler: app.requireOrgAdmin,
      schema: {
        tags: ["audit"],
        summary: "The audit trail as CSV (cells that spreadsheets would run as formulas are neutralised)",
        params: OrgParams,
        produces: ["text/csv"],
        response: {
          200: { type: "string", description: "text/csv: at,actor,action,target,before,after" },
          ...errorResponses(...ADMIN_ERRORS),
        },
      },
    },
    async (request, reply) => {
      const csv = await auditCsv(repos, request.params.orgId);
      return reply
        .type("text/csv; charset=utf-8")
        .header("content-disposition", `attachment; filename="audit-${request.params.orgId}.csv"`)
        .send(csv);
    },
  );
  return Promise.resolve();
}
