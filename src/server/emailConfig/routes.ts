/**
 * The organization's email configuration (admins only). GET never returns secrets; PUT needs If-Match with the
 * version read, answers 412 when another admin saved first, and keeps a stored secret when its field is blank.
 */
import type { FastifyInstance } from "fastify";
import type { Static } from "@sinclair/typebox";
import type { EmailConfigDto } from "../../contract/api.js";
import { callerOf } from "../auth/access.js";
import { grantOrgAccess } from "../orgs/access.js";
import { badRequest, preconditionFailed, preconditionRequired, unprocessable } from "../errors.js";
import { AUTH_ERRORS, OrgParams, errorResponses } from "../http/schemas.js";
import { EmailConfigInputSchema, EmailConfigSchema, IfMatchHeaders } from "./schemas.js";
import { etagOf, parseIfMatch, planEmailConfigChange, toEmailConfigDto } from "./service.js";

const ADMIN_ERRORS = [...AUTH_ERRORS, 403, 404] as const;

export function emailConfigRoutes(app: FastifyInstance): Promise<void> {
  const { repos, outbound } = app.ctx;

  app.get<{ Params: Static<typeof OrgParams> }>(
    "/orgs/:orgId/email-config",
    {
      // Admins only, like requireOrgAdmin, but the membership comes from the same query as the configuration.
      schema: {
        tags: ["email-config"],
        summary: "The organization's email configuration, without secrets (ETag = version)",
        params: OrgParams,
        response: { 200: EmailConfigSchema, ...errorResponses(...ADMIN_ERRORS) },
      },
    },
    async (request, reply): Promise<EmailConfigDto> => {
      const found = await repos.emailConfigs.getForMember(request.params.orgId, callerOf(request).email);
      grantOrgAccess(request, found?.membership ?? null, "admin");
      const config = found!.config; // grantOrgAccess has thrown when found is null
      void reply.headers({ etag: etagOf(config.version), "cache-control": "no-store" });
      return toEmailConfigDto(config);
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
      const current = await repos.emailConfigs.get(orgId);
      if (current.version !== expected) {
        throw preconditionFailed(`The configuration changed since version ${expected}; it is now ${current.version}.`);
      }
      const plan = await planEmailConfigChange(current, request.body, (url) => outbound.guard(url));
      if ("errors" in plan) throw unprocessable(plan.errors);
      const saved = await repos.transaction(async (tx) => {
        const next = await tx.emailConfigs.save(orgId, plan.changes, expected, actor);
        if (!next) throw preconditionFailed("Another administrator saved the configuration first; reload it.");
        await tx.audit.record({
          orgId,
          actor,
          action: "email_config.update",
          target: null,
          before: toEmailConfigDto(current),
          after: {
            ...toEmailConfigDto(next),
            passwordChanged: plan.changes.password.kind === "set",
            clientSecretChanged: plan.changes.clientSecret.kind === "set",
          },
        });
        return next;
      });
      void reply.header("etag", etagOf(saved.version)).header("cache-control", "no-store");
      return toEmailConfigDto(saved);
    },
  );
  return Promise.resolve();
}
