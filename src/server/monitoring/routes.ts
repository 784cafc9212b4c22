/**
 * Monitoring over HTTP (admins only, every answer scoped to the organization in the path): the schedule, alert
 * rules and channels, a test message, the delivery log, the run history, users' status changes and who is failing.
 * The webhook secret is write-only.
 */
import { Type, type Static } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { callerOf } from "../auth/access.js";
import { AUTH_ERRORS, OrgParams, PageOf, errorResponses } from "../http/schemas.js";
import {
  AlertRulesSchema,
  AlertSettingsSchema,
  ChannelTestSchema,
  ChannelsInputSchema,
  ChannelsSchema,
  DeliverySchema,
  FailingUserSchema,
  HistoryEntrySchema,
  MonitoringPageQuery,
  ScheduleInputSchema,
  ScheduleSchema,
  StatusChangeSchema,
  StatusChangesQuery,
} from "./schemas.js";

const ADMIN_ERRORS = [...AUTH_ERRORS, 403, 404] as const;
const tags = ["monitoring"];

export function monitoringRoutes(app: FastifyInstance): Promise<void> {
  const monitoring = app.ctx.monitoring;
  const base = "/orgs/:orgId/monitoring";
  const paging = (query: { cursor?: string; limit?: number }) => ({ cursor: query.cursor, limit: query.limit ?? 50 });

  app.get<{ Params: Static<typeof OrgParams> }>(
    `${base}/schedule`,
    {
      preHandler: app.requireOrgAdmin,
      schema: {
        tags,
        summary: "The re-check schedule (its defaults until saved), the next run and any settling window",
        params: OrgParams,
        response: { 200: ScheduleSchema, ...errorResponses(...ADMIN_ERRORS) },
      },
    },
    (request) => monitoring.schedule(request.params.orgId),
  );

  app.put<{ Params: Static<typeof OrgParams>; Body: Static<typeof ScheduleInputSchema> }>(
    `${base}/schedule`,
    {
      preHandler: app.requireOrgAdmin,
      schema: {
        tags,
        summary: "Save the schedule: off, daily at HH:MM in a time zone, or every N hours",
        params: OrgParams,
        body: ScheduleInputSchema,
        response: { 200: ScheduleSchema, ...errorResponses(...ADMIN_ERRORS) },
      },
    },
    (request) => monitoring.saveSchedule(request.params.orgId, request.body, callerOf(request).email),
  );

  app.get<{ Params: Static<typeof OrgParams> }>(
    `${base}/alerts`,
    {
      preHandler: app.requireOrgAdmin,
      schema: {
        tags,
        summary: "Alert rules and the alert conditions open now",
        params: OrgParams,
        response: { 200: AlertSettingsSchema, ...errorResponses(...ADMIN_ERRORS) },
      },
    },
    (request) => monitoring.alertSettings(request.params.orgId),
  );

  app.put<{ Params: Static<typeof OrgParams>; Body: Static<typeof AlertRulesSchema> }>(
    `${base}/alerts`,
    {
      preHandler: app.requireOrgAdmin,
      schema: {
        tags,
        summary: "Save the alert rules (each on/off with its threshold)",
        params: OrgParams,
        body: AlertRulesSchema,
        response: { 200: AlertSettingsSchema, ...errorResponses(...ADMIN_ERRORS) },
      },
    },
    (request) => monitoring.saveRules(request.params.orgId, request.body, callerOf(request).email),
  );

  app.get<{ Params: Static<typeof OrgParams> }>(
    `${base}/channels`,
    {
      preHandler: app.requireOrgAdmin,
      schema: {
        tags,
        summary: "Where alerts go: email recipients and the webhook (never its secret)",
        params: OrgParams,
        response: { 200: ChannelsSchema, ...errorResponses(...ADMIN_ERRORS) },
      },
    },
    (request) => monitoring.channels(request.params.orgId),
  );

  app.put<{ Params: Static<typeof OrgParams>; Body: Static<typeof ChannelsInputSchema> }>(
    `${base}/channels`,
    {
      preHandler: app.requireOrgAdmin,
      schema: {
        tags,
        summary: "Save the channels (webhook URL through the URL guard; a blank secret keeps the stored one)",
        params: OrgParams,
        body: ChannelsInputSchema,
        response: { 200: ChannelsSchema, ...errorResponses(...ADMIN_ERRORS) },
      },
    },
    (request) => monitoring.saveChannels(request.params.orgId, request.body, callerOf(request).email),
  );

  app.post<{ Params: Static<typeof OrgParams> }>(
    `${base}/channels/test`,
    {
      preHandler: app.requireOrgAdmin,
      schema: {
        tags,
        summary: "Queue a test message to every enabled channel (limited per organization); see the delivery log",
        params: OrgParams,
        response: { 202: ChannelTestSchema, ...errorResponses(...ADMIN_ERRORS, 429) },
      },
    },
    async (request, reply) => {
      const queued = await monitoring.sendTest(request.params.orgId, callerOf(request).email);
      return reply.code(202).send(queued);
    },
  );

  app.get<{ Params: Static<typeof OrgParams>; Querystring: Static<typeof MonitoringPageQuery> }>(
    `${base}/deliveries`,
    {
      preHandler: app.requireOrgAdmin,
      schema: {
        tags,
        summary: "The delivery log, newest first: one row per attempt",
        params: OrgParams,
        querystring: MonitoringPageQuery,
        response: { 200: PageOf(DeliverySchema), ...errorResponses(...ADMIN_ERRORS) },
      },
    },
    (request) => monitoring.deliveries(request.params.orgId, paging(request.query)),
  );

  app.get<{ Params: Static<typeof OrgParams>; Querystring: Static<typeof MonitoringPageQuery> }>(
    `${base}/history`,
    {
      preHandler: app.requireOrgAdmin,
      schema: {
        tags,
        summary: "Check runs with their counts per category and health bucket, newest first",
        params: OrgParams,
        querystring: MonitoringPageQuery,
        response: { 200: PageOf(HistoryEntrySchema), ...errorResponses(...ADMIN_ERRORS) },
      },
    },
    (request) => monitoring.history(request.params.orgId, paging(request.query)),
  );

  app.get<{ Params: Static<typeof OrgParams>; Querystring: Static<typeof StatusChangesQuery> }>(
    `${base}/status-changes`,
    {
      preHandler: app.requireOrgAdmin,
      schema: {
        tags,
        summary: "Users who started failing or recovered, newest first (optionally one user's)",
        params: OrgParams,
        querystring: StatusChangesQuery,
        response: { 200: PageOf(StatusChangeSchema), ...errorResponses(...ADMIN_ERRORS) },
      },
    },
    (request) => monitoring.statusChanges(request.params.orgId, request.query.userId, paging(request.query)),
  );

  app.get<{ Params: Static<typeof OrgParams> }>(
    `${base}/failing-users`,
    {
      preHandler: app.requireOrgAdmin,
      schema: {
        tags,
        summary: "Users failing now, longest-failing first",
        params: OrgParams,
        response: {
          200: Type.Object({ items: Type.Array(FailingUserSchema) }),
          ...errorResponses(...ADMIN_ERRORS),
        },
      },
    },
    async (request) => ({ items: await monitoring.failingUsers(request.params.orgId) }),
  );
  return Promise.resolve();
}
