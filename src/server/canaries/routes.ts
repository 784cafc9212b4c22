/** Canaries: admins name the mailboxes that must stay out of reach, and read each run's probe of them. */
import type { FastifyInstance } from "fastify";
import type { Static } from "@sinclair/typebox";
import type { CanaryDto, CanaryListDto, CanaryVerdictDto } from "../../contract/canaries.js";
import { callerOf } from "../auth/access.js";
import { AUTH_ERRORS, OrgParams, errorResponses } from "../http/schemas.js";
import { RunParams } from "../checks/schemas.js";
import { notFound } from "../errors.js";
import { CanaryInputSchema, CanaryListSchema, CanaryParams, CanarySchema, CanaryVerdictListSchema } from "./schemas.js";
import { addCanary, canaryList, removeCanary } from "./service.js";

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
