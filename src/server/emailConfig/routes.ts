/**
 * The organization's email configuration (admins only). GET never returns secrets; PUT needs If-Match with the
 * version read, answers 412 when another admin saved first, and keeps a stored secret when its field is blank.
 */
import type { FastifyInstance } from "fastify";
import type { Static } from "@sinclair/typebox";
import type { EmailConfigDto } from "../../contract/api.js";
import { callerOf } from "../auth/access.js";
import { badRequest, preconditionRequired } from "../errors.js";
import { AUTH_ERRORS, OrgParams, errorResponses } from "../http/schemas.js";
import { EmailConfigInputSchema, EmailConfigSchema, IfMatchHeaders } from "./schemas.js";
import { emailConfigSummary, etagOf, parseIfMatch, saveEmailConfig } from "./service.js";

const ADMIN_ERRORS = [...AUTH_ERRORS, 403, 404] as const;

export function emailConfigRoutes(app: FastifyInstance): Promise<void> {
  const { repos, outbound } = app.ctx;

  app.get<{ Params: Static<typeof OrgParams> }>(
    "/orgs/:orgId/email-config",
    {
      preHandler: app.requireOrgAdmin,
      schema: {
        tags: ["email-config"],
        summary: "The organization's email configuration, without secrets (ETag = version)",
        params: OrgParams,
        response: { 200: EmailConfigSchema, ...errorResponses(...ADMIN_ERRORS) },
      },
    },
    async (request, reply): Promise<EmailConfigDto> => {
      const config = await emailConfigSummary(repos, request.params.orgId);
      void reply.headers({ etag: etagOf(config.version), "cache-control": "no-store" });
      return config;
    },
  );

  app.put<{
    Params: Static<typeof OrgParams>;
    Body: Static<typeof EmailConfigInputSchema>;
    Headers: Static<typeof IfMatchHeaders>;
  }>(
    "/orgs/:orgId/email-config",
    {
      preHandler: app.requireOrgAdmin,
      schema: {
        tags: ["email-config"],
        summary: "Save the email configuration (If-Match: the version read; blank secrets keep the stored ones)",
        params: OrgParams,
        headers: IfMatchHeaders,
        body: EmailConfigInputSchema,
        response: { 200: EmailConfigSchema, ...errorResponses(...ADMIN_ERRORS, 412, 422, 428) },
      },
    },
    async (request, reply): Promise<EmailConfigDto> => {
      const { orgId } = request.params;
      const actor = callerOf(request).email;
      const expected = parseIfMatch(request.headers["if-match"]);
      if (expected === null) throw preconditionRequired('Send If-Match with the version you read, e.g. If-Match: "0".');
      if (Number.isNaN(expected)) {
        throw badRequest("If-Match must be a version number.", [
          { field: "If-Match", message: 'must be the version from GET, e.g. "3"' },
        ]);
      }
      const saved = await saveEmailConfig(
        repos,
        { orgId, input: request.body, expectedVersion: expected, actor },
        (url) => outbound.guard(url),
      );
      void reply.header("etag", etagOf(saved.version)).header("cache-control", "no-store");
      return saved;
    },
  );
  return Promise.resolve();
}
