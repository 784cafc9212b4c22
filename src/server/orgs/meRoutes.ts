/** The caller: identity, organizations with role, and their own mailbox status. */
import type { FastifyInstance } from "fastify";
import type { Static } from "@sinclair/typebox";
import type { MailboxStatusDto, MeDto } from "../../contract/api.js";
import { callerOf } from "../auth/access.js";
import { latestMailboxCheck } from "../checks/service.js";
import { accessTypeOf } from "../emailConfig/service.js";
import { connectionForUser } from "../profiles/service.js";
import { membershipsOf } from "./service.js";
import { notFound } from "../errors.js";
import { AUTH_ERRORS, errorResponses } from "../http/schemas.js";
import { MailboxStatusQuery, MailboxStatusSchema, MeSchema } from "./schemas.js";

const NOTHING_YET = {
  lastCheck: null,
  monitoring: { lastCheckedAt: null, scheduled: false },
  place: null,
} as const;

export function meRoutes(app: FastifyInstance): Promise<void> {
  const { repos, monitoring } = app.ctx;

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
      const memberships = await membershipsOf(repos, identity);
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
      const memberships = await membershipsOf(repos, callerOf(request));
      const wanted = request.query.orgId;
      const membership = wanted === undefined ? memberships[0] : memberships.find((m) => m.org.id === wanted);
      if (!membership) {
        if (wanted !== undefined) throw notFound("Organization");
        return { ...NOTHING_YET, org: null, accessType: null, state: "not_configured" };
      }
      const org = { id: membership.org.id, name: membership.org.name };
      // With several profiles, the user's own profile says how and where the mailbox is checked.
      const connection = await connectionForUser(repos, org.id, membership.userId);
      const accessType = connection?.accessType ?? (await accessTypeOf(repos, org.id));
      const place = connection?.place ?? null;
      if (accessType === null) return { ...NOTHING_YET, org, accessType: null, state: "not_configured" };
      const [latest, scheduled] = await Promise.all([
        latestMailboxCheck(repos, org.id, membership.userId),
        monitoring.scheduledChecks(org.id),
      ]);
      if (!latest)
        return {
          org,
          accessType,
          state: "never_checked",
          lastCheck: null,
          monitoring: { ...NOTHING_YET.monitoring, scheduled },
          place,
        };
      const lastCheckedAt = latest.lastCheck.checkedAt;
      return {
        org,
        accessType,
        state: latest.state,
        lastCheck: latest.lastCheck,
        monitoring: { lastCheckedAt, scheduled },
        place,
      };
    },
  );
  return Promise.resolve();
}
