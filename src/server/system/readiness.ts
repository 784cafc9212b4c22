/**
 * GET /api/ready, for a process manager or an orchestrator's readiness probe: 200 only when the database answers and
 * every migration is applied. While the server shuts down Fastify answers 503 to new requests on its own
 * (return503OnClosing), so traffic drains before the process exits. /api/health stays the liveness answer.
 */
import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import type { Db } from "../db/database.js";

const ReadinessSchema = Type.Object({
  status: Type.Union([Type.Literal("ready"), Type.Literal("not_ready")]),
  database: Type.Union([Type.Literal("ok"), Type.Literal("unreachable")]),
  migrations: Type.Union([Type.Literal("applied"), Type.Literal("pending"), Type.Literal("unknown")]),
  pending: Type.Array(Type.String()),
});

/** The readiness route; `pendingMigrations` names what the domains' migrations still lack (domains.ts). */
export const readinessRoutes = (pendingMigrations: (db: Db) => Promise<string[]>) =>
  function readiness(app: FastifyInstance): Promise<void> {
    // Applied migrations never become pending again while this process runs: once seen complete, skip the query.
    let migrated = false;
    app.get(
      "/ready",
      {
        config: { public: true },
        schema: {
          tags: ["system"],
          summary: "Readiness: the database answers and its migrations are applied",
          security: [],
          response: { 200: ReadinessSchema, 503: ReadinessSchema },
        },
      },
      async (_request, reply) => {
        const databaseUp = await app.ctx.database.ping();
        let pending: string[] | null = [];
        if (databaseUp && !migrated) {
          pending = await pendingMigrations(app.ctx.database.db).catch(() => null);
          migrated = pending !== null && pending.length === 0;
        }
        const ready = databaseUp && pending !== null && pending.length === 0;
        return reply.code(ready ? 200 : 503).send({
          status: ready ? "ready" : "not_ready",
          database: databaseUp ? "ok" : "unreachable",
          migrations: !databaseUp || pending === null ? "unknown" : pending.length === 0 ? "applied" : "pending",
          pending: pending ?? [],
        });
      },
    );
    return Promise.resolve();
  };
