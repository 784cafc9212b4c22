/** Public routes: health, the pane's sign-in settings, and the OpenAPI document. No bearer token needed. */
import type { FastifyInstance } from "fastify";
import type { ClientConfigDto, HealthDto } from "../../contract/api.js";
import { HttpError } from "../errors.js";
import { errorResponses } from "../http/schemas.js";
import { ClientConfigSchema, HealthSchema } from "../orgs/schemas.js";

export function systemRoutes(app: FastifyInstance): Promise<void> {
  app.get(
    "/health",
    {
      config: { public: true },
      schema: {
        tags: ["system"],
        summary: "Liveness and database reachability",
        security: [],
        response: { 200: HealthSchema, 503: HealthSchema },
      },
    },
    async (_request, reply) => {
      const databaseUp = await app.ctx.database.ping();
      const health: HealthDto = {
        status: databaseUp ? "ok" : "degraded",
        database: databaseUp ? "ok" : "unreachable",
        // Unauthenticated: the process name and its runs only where HEALTH_DETAILS allows (off in production).
        ...(app.ctx.config.healthDetails
          ? { process: app.ctx.config.processName, worker: app.ctx.checks.workerStatus() }
          : {}),
      };
      return reply.code(databaseUp ? 200 : 503).send(health);
    },
  );

  app.get(
    "/client-config",
    {
      config: { public: true },
      schema: {
        tags: ["system"],
        summary: "Public sign-in settings the pane needs before it has a token (no secrets)",
        description:
          "The one API route besides health that needs no token: the pane reads it to configure MSAL at runtime.",
        security: [],
        response: { 200: ClientConfigSchema, ...errorResponses(503) },
      },
    },
    (_request, reply) => {
      const auth = app.ctx.config.clientAuth;
      if (!auth) {
        throw new HttpError(
          503,
          "Service Unavailable",
          "Client sign-in is not configured on this server (AUTH_AUTHORITY and AUTH_CLIENT_ID).",
        );
      }
      const body: ClientConfigDto = { ...auth };
      return reply.send(body);
    },
  );

  app.get(
    "/openapi.json",
    {
      config: { public: true },
      schema: { tags: ["system"], summary: "This API's OpenAPI 3 document", security: [], hide: true },
    },
    (_request, reply) => reply.send(app.swagger()),
  );
  return Promise.resolve();
}
