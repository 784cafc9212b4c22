/**
 * "Check Users Exchange Impersonated Access" over HTTP (admins only): start a run, list recent runs, read one run,
 * page or export its results, follow its progress as server-sent events, cancel it. A cancelled or stopped run's
 * results stay readable. Runs interrupted by a crash resume when the server is ready again.
 */
import type { Static } from "@sinclair/typebox";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { Readable } from "node:stream";
import { CATEGORIES } from "../../contract/categories.js";
import type { CheckResultDto, CheckRunDto, CheckRunEvent, StartCheckRunDto } from "../../contract/checks.js";
import { callerOf } from "../auth/access.js";
import { TokenError } from "../auth/tokenVerifier.js";
import { unauthorized } from "../errors.js";
import { AUTH_ERRORS, OrgParams, errorResponses } from "../http/schemas.js";
import { resultsCsv } from "./csv.js";
import { EventTickets } from "./eventTickets.js";
import type { CheckRunEvents } from "./progressEvents.js";
import type { AppContext } from "../context.js";
import {
  CheckResultPageSchema,
  CheckRunListSchema,
  CheckRunSchema,
  CsvQuery,
  EventsQuery,
  EventsTicketSchema,
  ResultsQuery,
  RunListQuery,
  RunParams,
  StartCheckRunResponse,
  StartCheckRunSchema,
} from "./schemas.js";
import type { CheckResultRecord } from "./engine/types.js";
import { resultProfileNames, resultProfileWords, type ResultProfileNames } from "./resultProfiles.js";

const ADMIN_ERRORS = [...AUTH_ERRORS, 403, 404] as const;
const SSE_HEARTBEAT_MS = 15_000;

export function toResultDto(result: CheckResultRecord, profiles: ResultProfileNames): CheckResultDto {
  const category = CATEGORIES[result.category];
  const words = resultProfileWords(result, profiles);
  return {
    userId: result.userId,
    email: result.email,
    category: result.category,
    severity: category.severity,
    message: category.message,
    remedy: words.remedy,
    detail: result.detail,
    primarySmtpAddress: result.primarySmtpAddress,
    httpStatus: result.httpStatus,
    attempts: result.attempts,
    durationMs: result.durationMs,
    steps: result.steps,
    capabilities: result.capabilities ?? null,
    profile: words.profile,
    suggestedProfile: words.suggestedProfile,
    suggestedProfileId: words.suggestedProfileId,
    placement: result.placement ?? null,
    checkedAt: result.checkedAt.toISOString(),
  };
}

export function checkRoutes(app: FastifyInstance): Promise<void> {
  const ctx = app.ctx;
  const service = ctx.checks;
  const { runs, events } = service;
  const tickets = new EventTickets();

  app.post<{ Params: Static<typeof OrgParams>; Body: Static<typeof StartCheckRunSchema> }>(
    "/orgs/:orgId/checks",
    {
      preHandler: app.requireOrgAdmin,
      bodyLimit: Math.max(ctx.config.bodyLimitBytes, 4 * 1024 * 1024),
      schema: {
        tags: ["checks"],
        summary: "Start checking users' mailbox access (202; 409 while another run is active)",
        params: OrgParams,
        body: StartCheckRunSchema,
        response: { 202: StartCheckRunResponse, ...errorResponses(...ADMIN_ERRORS, 409, 422) },
      },
    },
    async (request, reply): Promise<StartCheckRunDto> => {
      const run = await service.start(request.params.orgId, callerOf(request).email, request.body);
      void reply.code(202).header("location", `/api/orgs/${run.orgId}/checks/${run.id}`);
      return { runId: run.id };
    },
  );

  app.get<{ Params: Static<typeof OrgParams>; Querystring: Static<typeof RunListQuery> }>(
    "/orgs/:orgId/checks",
    {
      preHandler: app.requireOrgAdmin,
      schema: {
        tags: ["checks"],
        summary: "Recent check runs, newest first (tells whether the current configuration version was checked)",
        params: OrgParams,
        querystring: RunListQuery,
        response: { 200: CheckRunListSchema, ...errorResponses(...ADMIN_ERRORS) },
      },
    },
    async (request): Promise<{ items: CheckRunDto[] }> => {
      const recent = await runs.recent(request.params.orgId, request.query.limit ?? 20);
      return { items: recent.map((run) => service.toDto(run)) };
    },
  );

  app.get<{ Params: Static<typeof RunParams> }>(
    "/orgs/:orgId/checks/:runId",
    {
      preHandler: app.requireOrgAdmin,
      schema: {
        tags: ["checks"],
        summary: "One check run: state, progress, counts per category, preflight, ETA",
        params: RunParams,
        response: { 200: CheckRunSchema, ...errorResponses(...ADMIN_ERRORS) },
      },
    },
    async (request, reply): Promise<CheckRunDto> => {
      void reply.header("cache-control", "no-store");
      return service.toDto(await service.get(request.params.orgId, request.params.runId));
    },
  );

  app.get<{ Params: Static<typeof RunParams>; Querystring: Static<typeof ResultsQuery> }>(
    "/orgs/:orgId/checks/:runId/results",
    {
      preHandler: app.requireOrgAdmin,
      schema: {
        tags: ["checks"],
        summary: "Per-user results by email, filtered by category or severity, cursor-paged",
        params: RunParams,
        querystring: ResultsQuery,
        response: { 200: CheckResultPageSchema, ...errorResponses(...ADMIN_ERRORS) },
      },
    },
    async (request) => {
      const { orgId, runId } = request.params;
      await service.get(orgId, runId);
      const { category, severity, profile, cursor, limit } = request.query;
      const page = await runs.results(
        runId,
        {
          ...(category === undefined ? {} : { category }),
          ...(severity === undefined ? {} : { severity }),
          ...(profile === undefined ? {} : { profileId: profile }),
        },
        cursor,
        limit ?? 100,
      );
      const profiles = await resultProfileNames(app.ctx.repos, orgId);
      return { items: page.items.map((result) => toResultDto(result, profiles)), nextCursor: page.nextCursor };
    },
  );

  app.get<{ Params: Static<typeof RunParams>; Querystring: Static<typeof CsvQuery> }>(
    "/orgs/:orgId/checks/:runId/results.csv",
    {
      preHandler: app.requireOrgAdmin,
      schema: {
        tags: ["checks"],
        summary: "Every result as CSV (streamed; formula-safe)",
        params: RunParams,
        querystring: CsvQuery,
        response: { ...errorResponses(...ADMIN_ERRORS) },
      },
    },
    async (request, reply) => {
      const { orgId, runId } = request.params;
      await service.get(orgId, runId);
      const { category, severity, profile } = request.query;
      const filter = {
        ...(category === undefined ? {} : { category }),
        ...(severity === undefined ? {} : { severity }),
        ...(profile === undefined ? {} : { profileId: profile }),
      };
      const profiles = await resultProfileNames(app.ctx.repos, orgId);
      // A group's canaries were probed by each child: each verdict names the profile whose account probed it.
      const members = await runs.memberRunIds(runId);
      const memberProfiles = new Map(
        (await runs.childrenOf(runId)).map((child) => [child.id, child.profileId ?? child.orgId]),
      );
      return reply
        .type("text/csv; charset=utf-8")
        .header("content-disposition", `attachment; filename="check-run-${runId}.csv"`)
        .header("cache-control", "no-store")
        .send(
          Readable.from(
            resultsCsv(
              runs.allResults(runId, filter),
              async () => {
                // A filtered export lists the canaries only when they match it too.
                const lists = await Promise.all(
                  members.map(async (memberId) =>
                    (await app.ctx.repos.canaries.verdictsOf(orgId, memberId)).map((verdict) => {
                      const profileId = memberProfiles.get(memberId);
                      return profileId === undefined ? verdict : { ...verdict, profileId };
                    }),
                  ),
                );
                return lists
                  .flat()
                  .filter(
                    (verdict) =>
                      (category === undefined || verdict.category === category) &&
                      (severity === undefined || CATEGORIES[verdict.category].severity === severity) &&
                      (profile === undefined || !("profileId" in verdict) || verdict.profileId === profile),
                  );
              },
              profiles,
            ),
          ),
        );
    },
  );

  app.post<{ Params: Static<typeof RunParams> }>(
    "/orgs/:orgId/checks/:runId/cancel",
    {
      preHandler: app.requireOrgAdmin,
      schema: {
        tags: ["checks"],
        summary: "Cancel an active run; results recorded so far stay readable (409 when it already ended)",
        params: RunParams,
        response: { 200: CheckRunSchema, ...errorResponses(...ADMIN_ERRORS, 409) },
      },
    },
    async (request): Promise<CheckRunDto> => {
      const { orgId, runId } = request.params;
      return service.toDto(await service.cancel(orgId, runId, callerOf(request).email));
    },
  );

  app.post<{ Params: Static<typeof RunParams> }>(
    "/orgs/:orgId/checks/:runId/events/ticket",
    {
      preHandler: app.requireOrgAdmin,
      schema: {
        tags: ["checks"],
        summary: "A one-use, 60-second ticket for EventSource (which cannot send an Authorization header)",
        params: RunParams,
        response: { 200: EventsTicketSchema, ...errorResponses(...ADMIN_ERRORS) },
      },
    },
    async (request) => {
      const { orgId, runId } = request.params;
      await service.get(orgId, runId);
      const issued = tickets.issue({ orgId, runId, identity: callerOf(request) });
      return {
        ticket: issued.ticket,
        expiresAt: issued.expiresAt.toISOString(),
        url: `/api/orgs/${orgId}/checks/${runId}/events?ticket=${encodeURIComponent(issued.ticket)}`,
      };
    },
  );

  app.get<{ Params: Static<typeof RunParams>; Querystring: Static<typeof EventsQuery> }>(
    "/orgs/:orgId/checks/:runId/events",
    {
      // Authenticated in the preHandler below: a bearer header (fetch-based readers) or a one-use ticket.
      config: { public: true },
      preHandler: async (request) => {
        await authenticateEvents(request, ctx, tickets);
        await app.requireOrgAdmin(request);
      },
      schema: {
        tags: ["checks"],
        summary:
          "Progress as server-sent events (event: progress, then event: end). Authorization: Bearer, or ?ticket= from POST …/events/ticket",
        params: RunParams,
        querystring: EventsQuery,
        response: { ...errorResponses(...ADMIN_ERRORS) },
      },
    },
    async (request, reply) => {
      const { orgId, runId } = request.params;
      // Subscribe before reading the state, so an end that happens in between is not missed.
      const stream = subscribeEvents(events, runId);
      try {
        const run = await service.get(orgId, runId);
        stream.start(request, reply, service.toDto(run));
      } catch (error) {
        stream.cancel();
        throw error;
      }
    },
  );
  return Promise.resolve();
}

async function authenticateEvents(request: FastifyRequest, ctx: AppContext, tickets: EventTickets): Promise<void> {
  const { ticket } = request.query as { ticket?: string };
  const { orgId, runId } = request.params as { orgId: string; runId: string };
  if (ticket !== undefined) {
    const identity = tickets.redeem(ticket, { orgId, runId });
    if (identity === null) throw unauthorized("The events ticket is unknown, used or expired; request a new one.");
    request.identity = identity;
    return;
  }
  const match = /^Bearer[ ]+(\S+)$/.exec(request.headers.authorization ?? "");
  if (!match?.[1]) throw unauthorized("No bearer token was sent.");
  try {
    request.identity = await ctx.tokens.verify(match[1]);
  } catch (error) {
    if (error instanceof TokenError) throw unauthorized(`The bearer token was refused: ${error.message}.`);
    throw error;
  }
}

function sseFrame(event: CheckRunEvent): string {
  return `event: ${event.type}\ndata: ${JSON.stringify(event.run)}\n\n`;
}

/** Buffers events until the stream starts; then writes the current state, throttled progress, and `end` (closing). */
function subscribeEvents(events: CheckRunEvents, runId: string) {
  let write: ((event: CheckRunEvent) => void) | null = null;
  const early: CheckRunEvent[] = [];
  const unsubscribe = events.subscribe(runId, (event) => (write === null ? early.push(event) : write(event)));
  return {
    cancel: unsubscribe,
    start(request: FastifyRequest, reply: FastifyReply, current: CheckRunDto): void {
      const raw = reply.raw;
      reply.hijack();
      raw.writeHead(200, {
        // Headers set by earlier hooks (CORS, security headers) still apply to the hijacked response.
        ...(reply.getHeaders() as Record<string, string>),
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-store",
        connection: "keep-alive",
        "x-accel-buffering": "no",
      });
      raw.write("retry: 3000\n\n");
      const heartbeat = setInterval(() => raw.write(": keep-alive\n\n"), SSE_HEARTBEAT_MS);
      const close = (): void => {
        clearInterval(heartbeat);
        unsubscribe();
      };
      request.raw.once("close", close);
      write = (event) => {
        raw.write(sseFrame(event));
        if (event.type === "end") {
          close();
          raw.end();
        }
      };
      const finished = current.state !== "preflight" && current.state !== "running";
      const ended = early.find((event) => event.type === "end");
      if (ended !== undefined) write(ended);
      else write({ type: finished ? "end" : "progress", run: current });
    },
  };
}
