/** The organization's audit trail (admins only): newest first, cursor-paged, or all of it as CSV. */
import type { FastifyInstance } from "fastify";
import type { Static } from "@sinclair/typebox";
import type { AuditEventDto, Page } from "../../contract/api.js";
import type { AuditEvent } from "./repository.js";
import { AUTH_ERRORS, OrgParams, PageOf, errorResponses } from "../http/schemas.js";
import { AuditEventSchema, AuditQuery } from "./schemas.js";
import { csvRow } from "../http/csv.js";

const ADMIN_ERRORS = [...AUTH_ERRORS, 403, 404] as const;
/** The CSV export stops here; an organization with more events pages through the JSON route. */
const CSV_MAX_EVENTS = 100_000;

function toDto(event: AuditEvent): AuditEventDto {
  return {
    id: event.id,
    at: event.at,
    actor: event.actor,
    action: event.action,
    target: event.target,
    before: event.before,
    after: event.after,
  };
}

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
      const page = await repos.audit.list(request.params.orgId, {
        ...(cursor !== undefined ? { cursor } : {}),
        limit: limit ?? 50,
      });
      return { items: page.items.map(toDto), nextCursor: page.nextCursor };
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
      const lines = [csvRow(["at", "actor", "action", "target", "before", "after"])];
      let cursor: string | undefined;
      let count = 0;
      do {
        const page = await repos.audit.list(request.params.orgId, {
          ...(cursor !== undefined ? { cursor } : {}),
          limit: 1000,
        });
        for (const event of page.items) {
          lines.push(
            csvRow([
              event.at,
              event.actor,
              event.action,
              event.target ?? "",
              event.before === null ? "" : JSON.stringify(event.before),
              event.after === null ? "" : JSON.stringify(event.after),
            ]),
          );
        }
        count += page.items.length;
        cursor = page.nextCursor ?? undefined;
      } while (cursor !== undefined && count < CSV_MAX_EVENTS);
      return reply
        .type("text/csv; charset=utf-8")
        .header("content-disposition", `attachment; filename="audit-${request.params.orgId}.csv"`)
        .send(lines.join(""));
    },
  );
  return Promise.resolve();
}
