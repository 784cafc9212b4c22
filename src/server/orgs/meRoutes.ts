/** The caller: identity, organizations with role, and their own mailbox status. */
import type { FastifyInstance } from "fastify";
import type { Static } from "@sinclair/typebox";
import type { MailboxState, MailboxStatusDto, MeDto } from "../../contract/api.js";
import { CATEGORIES, isCategoryId, type Severity } from "../../contract/categories.js";
import { callerOf } from "../auth/access.js";
import { visibleMemberships } from "./access.js";
import { notFound } from "../errors.js";
import { AUTH_ERRORS, errorResponses } from "../http/schemas.js";
import { MailboxStatusQuery, MailboxStatusSchema, MeSchema } from "./schemas.js";

const STATE_BY_SEVERITY: Record<Severity, MailboxState> = {
  ok: "connected",
  warning: "needs_attention",
  transient: "needs_attention",
  error: "not_connected",
};

export function meRoutes(app: FastifyInstance): Promise<void> {
  const { repos } = app.ctx;

  app.get(
    "/me",
    {
      schema: {
        tags: ["me"],
        summary: "The signed-in caller and their organizations with role",
        response: { 200: MeSchema, ...errorResponses(...AUTH_ERRORS) },
      },
    },
    async (request): Promise<MeDto> => {
      const identity = callerOf(request);
      const memberships = visibleMemberships(await repos.organizations.membershipsOf(identity.email), identity);
      return {
        subject: identity.subject,
        email: identity.email,
        name: identity.name,
        orgs: memberships.map((m) => ({ id: m.org.id, name: m.org.name, role: m.role })),
      };
    },
  );

  app.get<{ Querystring: Static<typeof MailboxStatusQuery> }>(
    "/me/mailbox-status",
    {
      schema: {
        tags: ["me"],
        summary: "The caller's mailbox connection: the org's access type and their latest check result",
        querystring: MailboxStatusQuery,
        response: { 200: MailboxStatusSchema, ...errorResponses(...AUTH_ERRORS, 404) },
      },
    },
    async (request): Promise<MailboxStatusDto> => {
      const identity = callerOf(request);
      const memberships = visibleMemberships(await repos.organizations.membershipsOf(identity.email), identity);
      const wanted = request.query.orgId;
      const membership = wanted === undefined ? memberships[0] : memberships.find((m) => m.org.id === wanted);
      if (!membership) {
        if (wanted !== undefined) throw notFound("Organization");
        return { org: null, accessType: null, state: "not_configured", lastCheck: null };
      }
      const org = { id: membership.org.id, name: membership.org.name };
      const config = await repos.emailConfigs.get(org.id);
      if (config.accessType === null) return { org, accessType: null, state: "not_configured", lastCheck: null };
      const latest = await repos.mailboxStatus.latest(org.id, membership.userId);
      if (!latest) return { org, accessType: config.accessType, state: "never_checked", lastCheck: null };
      const category = CATEGORIES[isCategoryId(latest.category) ? latest.category : "unknown_error"];
      return {
        org,
        accessType: config.accessType,
        state: STATE_BY_SEVERITY[category.severity],
        lastCheck: {
          category: latest.category,
          severity: category.severity,
          message: category.message,
          tellAdmin: category.severity === "ok" ? null : category.tellAdmin,
          checkedAt: latest.checkedAt,
        },
      };
    },
  );
  return Promise.resolve();
}
