/** Canaries: admins name the mailboxes that must stay out of reach, and read each run's probe of them. */
import type { FastifyInstance } from "fastify";
import type { Static } from "@sinclair/typebox";
import type {
  CanaryDirectorySuggestionsDto,
  CanaryDto,
  CanaryListDto,
  CanaryVerdictDto,
} from "../../contract/canaries.js";
import { callerOf } from "../auth/access.js";
import { AUTH_ERRORS, OrgParams, errorResponses } from "../http/schemas.js";
import { RunParams } from "../checks/schemas.js";
import { notFound } from "../errors.js";
import {
  CanaryDirectorySuggestionsSchema,
  CanaryInputSchema,
  CanaryListSchema,
  CanaryParams,
  CanarySchema,
  CanaryVerdictListSchema,
} from "./schemas.js";
import { addCanary, canaryDirectorySuggestions, canaryList, removeCanary } from "./service.js";

/** The directory listing answers within this, or says it could not be read. */
const DIRECTORY_TIMEOUT_MS = 20_000;

const ADMIN_ERRORS = [...AUTH_ERRORS, 403, 404] as const;

export function canaryRoutes(app: FastifyInstance): Promise<void> {
  const { repos, now } = app.ctx;

  app.get<{ Params: Static<typeof OrgParams> }>(
    "/orgs/:orgId/canaries",
    {
      preHandler: app.requireOrgAdmin,
      schema: {
        tags: ["canaries"],
        summary: "The mailboxes that must stay out of reach, and the dedicated one the pane suggests",
        params: OrgParams,
        response: { 200: CanaryListSchema, ...errorResponses(...ADMIN_ERRORS) },
      },
    },
    async (request): Promise<CanaryListDto> => canaryList(repos, request.params.orgId),
  );

  app.get<{ Params: Static<typeof OrgParams> }>(
    "/orgs/:orgId/canaries/suggestions",
    {
      preHandler: app.requireOrgAdmin,
      schema: {
        tags: ["canaries"],
        summary:
          "Directory mailboxes that are none of the organization's users (nor their aliases, nor canaries yet), to pick a canary from",
        params: OrgParams,
        response: { 200: CanaryDirectorySuggestionsSchema, ...errorResponses(...ADMIN_ERRORS) },
      },
    },
    async (request): Promise<CanaryDirectorySuggestionsDto> => {
      // Bounded by DIRECTORY_TIMEOUT_MS; a client that leaves does not cut the listing short.
      const abort = new AbortController();
      return canaryDirectorySuggestions(
        repos,
        request.params.orgId,
        {
          guardUrl: (url) => app.ctx.outbound.guard(url),
          driverFor: (orgId, config, profileId) => app.ctx.checks.driverFor(orgId, config, profileId),
          timeoutMs: DIRECTORY_TIMEOUT_MS,
        },
        abort.signal,
      );
    },
  );

  app.post<{ Params: Static<typeof OrgParams>; Body: Static<typeof CanaryInputSchema> }>(
    "/orgs/:orgId/canaries",
    {
      preHandler: app.requireOrgAdmin,
      schema: {
        tags: ["canaries"],
        summary: "Adds a canary: a mailbox outside the scope that every check run probes and expects to be refused",
        params: OrgParams,
        body: CanaryInputSchema,
        response: { 201: CanarySchema, ...errorResponses(...ADMIN_ERRORS, 409, 422) },
      },
    },
    async (request, reply): Promise<CanaryDto> => {
      const created = await addCanary(
        repos,
        request.params.orgId,
        request.body.address,
        callerOf(request).email,
        now(),
      );
      return reply.code(201).send(created);
    },
  );

  app.delete<{ Params: Static<typeof CanaryParams> }>(
    "/orgs/:orgId/canaries/:canaryId",
    {
      preHandler: app.requireOrgAdmin,
      schema: {
        tags: ["canaries"],
        summary: "Removes a canary (the verdicts of past runs stay)",
        params: CanaryParams,
        response: { 204: { type: "null" }, ...errorResponses(...ADMIN_ERRORS) },
      },
    },
    async (request, reply) => {
      await removeCanary(repos, request.params.orgId, request.params.canaryId, callerOf(request).email);
      return reply.code(204).send();
    },
  );

  app.get<{ Params: Static<typeof RunParams> }>(
    "/orgs/:orgId/checks/:runId/canaries",
    {
      preHandler: app.requireOrgAdmin,
      schema: {
        tags: ["canaries"],
        summary: "The run's probe of each canary: refused (the boundary holds), leaked or inconclusive",
        params: RunParams,
        response: { 200: CanaryVerdictListSchema, ...errorResponses(...ADMIN_ERRORS) },
      },
    },
    async (request): Promise<{ items: CanaryVerdictDto[] }> => {
      const { orgId, runId } = request.params;
      if ((await app.ctx.checks.runs.get(orgId, runId)) === null) throw notFound("Check run");
      return { items: await repos.canaries.verdictsOf(orgId, runId) };
    },
  );
  return Promise.resolve();
}
