/**
 * The companion backend as a Fastify application. `buildApp(config, deps)` wires configuration, the database
 * (migrated on start), secrets, the outbound client, sign-in and every API route; tests pass deps (an open
 * database, an injected key set) and use `app.inject`. main.ts only listens.
 */
import { API_PREFIX } from "../contract/paths.js";
import cors from "@fastify/cors";
import helmet from "@fastify/helmet";
import rateLimit from "@fastify/rate-limit";
import swagger from "@fastify/swagger";
import Fastify, { type FastifyInstance, type FastifyServerOptions } from "fastify";
import type { JWTVerifyGetKey } from "jose";
import { randomUUID } from "node:crypto";
import { installAuth } from "./auth/access.js";
import { PgBossChunkQueue } from "./checks/cluster/chunkQueue.js";
import { QueuedRuns } from "./checks/cluster/queuedRuns.js";
import { PostgresRunSignals } from "./checks/cluster/runSignals.js";
import { SHARED_SLOT_LEASES, SharedSlots } from "./checks/cluster/sharedSlots.js";
import { InProcessExecutor } from "./checks/engine/inProcessExecutor.js";
import { InProcessSlots } from "./checks/engine/requestSlots.js";
import { RunEngine } from "./checks/engine/runEngine.js";
import { checkSettingsFrom } from "./checks/engine/runSettings.js";
import { CheckRunEvents } from "./checks/progressEvents.js";
import { checkRunsRepository } from "./checks/repository.js";
import { RunConfigs } from "./checks/runConfigs.js";
import { ONE_PROCESS_SIGNALS, type RunExecutor } from "./checks/runExecutor.js";
import { RunReporter } from "./checks/runReporter.js";
import { CheckService } from "./checks/service.js";
import { createMailer } from "./monitoring/delivery.js";
import { monitoringRepository } from "./monitoring/repository.js";
import { MonitoringScheduler } from "./monitoring/scheduler.js";
import { MonitoringService } from "./monitoring/service.js";
import { placementTargetsOf } from "./profiles/service.js";
import { createTokenVerifier, type TokenVerifier } from "./auth/tokenVerifier.js";
import {
  ensureBootstrapOrganization,
  seedBootstrapAlerts,
  seedBootstrapCanaries,
  seedBootstrapProfiles,
  seedBootstrapUsers,
  seededAdminName,
} from "./bootstrap.js";
import type { ServerConfig } from "./config.js";
import type { AppContext } from "./context.js";
import { openDatabase, type Database } from "./db/database.js";
import { installErrorHandler, problemForClientError, problemForFrameworkError } from "./errors.js";
import { loggerOptions } from "./logging.js";
import { createOutboundClient, type OutboundClient } from "./net/outbound.js";
import { defaultDriverFactory } from "./emailConfig/service.js";
import { installOrgAccess } from "./orgs/access.js";
import { membershipIn } from "./orgs/service.js";
import { createRepositories, type Repositories } from "./repositories.js";
import { apiRoutes, migrateToLatest, type ApiRoutes } from "./domains.js";
import { Problem } from "./http/schemas.js";
import { loadKeyring } from "./secrets/keySource.js";
import type { Keyring } from "./secrets/keyring.js";
import { serveStatic } from "./http/staticFiles.js";
import { typeboxValidatorCompiler } from "./http/validation.js";

export interface AppDeps {
  /** An open database; when absent one is opened from config.databaseUrl and closed with the app. */
  database?: Database;
  keyring?: Keyring;
  outbound?: OutboundClient;
  /** Replaces token verification entirely (rarely wanted: prefer keySetFor). */
  tokenVerifier?: TokenVerifier;
  /** Tests: the key set to verify an issuer's tokens with, instead of downloading its JWKS. */
  keySetFor?: (issuer: string) => JWTVerifyGetKey;
  now?: () => Date;
  /** More route plugins under /api, after the built-in ones (benchmarks, tests). */
  routes?: ApiRoutes[];
  logger?: NonNullable<FastifyServerOptions["logger"]>;
}

export async function buildApp(config: ServerConfig, deps: AppDeps = {}): Promise<FastifyInstance> {
  const { trustProxy } = config;
  const app = Fastify({
    logger: deps.logger ?? loggerOptions(config.logLevel),
    bodyLimit: config.bodyLimitBytes,
    genReqId: () => randomUUID(),
    // A hop count trusts that many proxies in front (proxy-addr's rule; Fastify's types take it as a function).
    trustProxy: typeof trustProxy === "number" ? (_address: string, hop: number) => hop < trustProxy : trustProxy,
    routerOptions: { ignoreTrailingSlash: true },
    clientErrorHandler: problemForClientError,
    frameworkErrors: problemForFrameworkError,
  });
  const owned: Array<() => Promise<void>> = [];
  try {
    const database = deps.database ?? (await openDatabase(config.databaseUrl));
    if (!deps.database) owned.push(() => database.close());
    await migrateToLatest(database.db);

    const keyring = deps.keyring ?? loadKeyring(config, (message) => app.log.warn(message)).keyring;
    const outbound = deps.outbound ?? createOutboundClient(config.outbound);
    if (!deps.outbound) owned.push(() => outbound.close());
    const now = deps.now ?? (() => new Date());
    const repos = createRepositories(database.db, { keyring, now, readRows: database.readRows });
    const tokens =
      deps.tokenVerifier ??
      createTokenVerifier({
        issuers: config.token.issuers,
        audience: config.token.audience,
        algorithms: config.token.algorithms,
        jwksUri: config.token.jwksUri,
        fetch: outbound.fetch,
        ...(deps.keySetFor ? { keySetFor: deps.keySetFor } : {}),
      });
    if (config.token.issuers.length === 0) {
      app.log.warn("TOKEN_ISSUERS is empty: every authenticated route will answer 401.");
    }

    const checks = await buildCheckService({ config, database, repos, keyring, outbound, now }, app);
    const monitoring = buildMonitoring({ config, database, repos, keyring, outbound, now, checks }, app);
    // Webhook URLs saved before migration 020 are sealed with the keyring, which migrations do not have.
    const sealedUrls = await monitoring.service.sealClearWebhookUrls();
    if (sealedUrls > 0) app.log.info({ sealed: sealedUrls }, "sealed webhook URLs saved in clear");
    const { service: monitoringService, scheduler } = monitoring;
    const ctx: AppContext = {
      ...{ config, database, repos, keyring, outbound, tokens, now, checks },
      monitoring: monitoringService,
      scheduler,
    };
    app.decorate("ctx", ctx);
    app.addHook("onClose", async () => {
      for (const close of owned.reverse()) await close();
    });
    app.addHook("onReady", async () => {
      await checks.startWorking();
      const resumed = await checks.resumeInterrupted();
      if (resumed > 0) app.log.info({ resumed }, "resumed interrupted check runs");
      // Only where other processes share the runs can one die holding a run.
      if (database.postgres !== null) checks.watchOrphans(ORPHAN_WATCH_MS);
    });
    app.addHook("onClose", () => checks.close());
    app.addHook("onReady", () => {
      monitoring.scheduler.start(config.monitoring.tickMs);
      // Not awaited: a relay that is down must not hold up the start; the log names the variable.
      void monitoring.service.verifySmtp();
      return Promise.resolve();
    });
    // Registered after checks.close, so it runs before it: no new scheduled run while the runs wind down.
    app.addHook("onClose", async () => {
      await monitoring.scheduler.stop();
      await monitoring.service.close();
    });

    if (config.bootstrap) {
      const { usersCsv, adminEmail } = config.bootstrap;
      const adminName = usersCsv === null ? undefined : seededAdminName(usersCsv, adminEmail);
      const { org, created } = await ensureBootstrapOrganization(repos, {
        name: config.bootstrap.orgName,
        tenantId: config.bootstrap.tenantId,
        adminEmail,
        ...(adminName ? { adminName } : {}),
      });
      if (created) app.log.info({ orgId: org.id }, "created the bootstrap organization and its admin");
      if (usersCsv !== null) {
        const seeded = await seedBootstrapUsers(repos, org.id, usersCsv);
        if (seeded) {
          app.log.info({ orgId: org.id, added: seeded.accepted }, "added the bootstrap users to the organization");
          // Rows already in the organization (its admin) are expected; anything else is a broken seed file.
          const broken = seeded.rows.filter(
            (row) => !(row.reason ?? "").endsWith("is already a user of this organization."),
          );
          if (broken.length > 0) app.log.warn({ rows: broken }, "some bootstrap users were not added");
        }
      }
      if (config.bootstrap.profiles !== null) {
        // A seed the API refuses is the developer's file to fix: said once, and the server starts without it.
        await seedBootstrapProfiles(repos, org.id, config.bootstrap.profiles, (url) => outbound.guard(url)).then(
          (profiles) => {
            if (profiles.length > 0) app.log.info({ orgId: org.id, profiles }, "configured the bootstrap profiles");
          },
          (error: unknown) =>
            app.log.error({ err: error, orgId: org.id }, "BOOTSTRAP_PROFILES_FILE: the profiles were not configured"),
        );
      }
      const canaries = await seedBootstrapCanaries(repos, org.id, config.bootstrap.canaries, now());
      if (canaries > 0) app.log.info({ orgId: org.id, canaries }, "named the bootstrap organization's canaries");
      if (await seedBootstrapAlerts(monitoringService, org.id, adminEmail, config.monitoring.smtp !== null)) {
        app.log.info({ orgId: org.id }, "email alerts of the bootstrap organization go to its admin");
      }
    }

    await registerPlugins(app, config, tokens, repos);
    for (const routes of [...apiRoutes, ...(deps.routes ?? [])]) await app.register(routes, { prefix: API_PREFIX });
    if (config.staticDir) await app.register(serveStatic(config.staticDir));
    return app;
  } catch (error) {
    for (const close of owned.reverse()) await close().catch(() => undefined);
    throw error;
  }
}

/** On PostgreSQL, how often a process looks for runs whose driving process died, to take them over. */
const ORPHAN_WATCH_MS = 5_000;

/**
 * The check runs' service, built once per app; routes reach it as `app.ctx.checks`. Where runs execute is chosen here,
 * once: in this process on SQLite, as pg-boss chunk jobs every process works on PostgreSQL.
 */
async function buildCheckService(
  ctx: Pick<AppContext, "config" | "database" | "repos" | "keyring" | "outbound" | "now">,
  app: FastifyInstance,
): Promise<CheckService> {
  const settings = checkSettingsFrom(ctx.config.checks);
  const log = (message: string, error?: unknown): void => app.log.error({ err: error }, message);
  const runs = checkRunsRepository(ctx.database.db, ctx.now);
  const events = new CheckRunEvents(settings.progressIntervalMs);
  const configs = new RunConfigs({
    repos: ctx.repos,
    keyring: ctx.keyring,
    guardUrl: (url) => ctx.outbound.guard(url),
    driverFor: defaultDriverFactory(ctx, settings.runner.requestTimeoutMs),
    log: app.log,
  });
  const { postgres, openClient } = ctx.database;
  const clustered = postgres !== null && openClient !== null;
  // On PostgreSQL several processes may serve one database: the service accounts' budgets and the runs' signals are
  // kept there.
  const slots = clustered
    ? new SharedSlots(ctx.database.db, { holder: ctx.config.processName, ...SHARED_SLOT_LEASES, log })
    : new InProcessSlots();
  const postgresSignals = clustered ? new PostgresRunSignals(ctx.database.db, openClient, log) : null;
  const signals = postgresSignals ?? ONE_PROCESS_SIGNALS;
  const reporter = new RunReporter({
    runs,
    events,
    signals,
    progressIntervalMs: settings.progressIntervalMs,
    log: app.log,
  });
  const engine = new RunEngine({
    runs,
    settings,
    slots,
    reporter,
    placementTargets: (orgId) => placementTargetsOf(ctx.repos, orgId),
    log: app.log,
  });
  let executor: RunExecutor = new InProcessExecutor(engine, reporter);
  if (clustered) {
    await postgresSignals?.start();
    const queue = await PgBossChunkQueue.start({
      connectionString: postgres.url,
      schema: jobsSchemaOf(postgres.schema),
      expireInSeconds: settings.queue.expireSeconds,
      log,
    });
    executor = new QueuedRuns({ queue, runs, settings, slots, signals, engine, reporter, configs, log: app.log });
  }
  return new CheckService({
    repos: ctx.repos,
    runs,
    keyring: ctx.keyring,
    guardUrl: (url) => ctx.outbound.guard(url),
    settings,
    events,
    configs,
    reporter,
    executor,
    log: app.log,
  });
}

/** pg-boss's schema beside the product's: `<schema>_jobs`, or sync_sidebar_jobs on the default schema. */
function jobsSchemaOf(schema: string | null): string {
  return schema === null ? "sync_sidebar_jobs" : `${schema}_jobs`.slice(0, 63);
}

/** Monitoring's service (told of every run that ends) and its scheduler. */
function buildMonitoring(
  ctx: Pick<AppContext, "config" | "database" | "repos" | "keyring" | "outbound" | "now" | "checks">,
  app: FastifyInstance,
): { service: MonitoringService; scheduler: MonitoringScheduler } {
  const store = monitoringRepository(ctx.database.db, ctx.now);
  const service = new MonitoringService({
    repos: ctx.repos,
    store,
    checks: ctx.checks,
    keyring: ctx.keyring,
    config: ctx.config.monitoring,
    guardUrl: (url) => ctx.outbound.guard(url),
    fetch: ctx.outbound.fetch,
    mailer: createMailer(ctx.config.monitoring.smtp),
    now: ctx.now,
    log: app.log,
  });
  ctx.checks.onRunEnd((run) => service.recordRunEnd(run));
  const scheduler = new MonitoringScheduler({
    repos: ctx.repos,
    store,
    monitoring: service,
    checks: ctx.checks,
    now: ctx.now,
    log: app.log,
  });
  return { service, scheduler };
}

async function registerPlugins(
  app: FastifyInstance,
  config: ServerConfig,
  tokens: TokenVerifier,
  repos: Repositories,
): Promise<void> {
  installErrorHandler(app);
  app.setValidatorCompiler(typeboxValidatorCompiler);
  app.addSchema(Problem);

  // The API answers JSON only, so its CSP forbids everything; the static pane sets its own.
  await app.register(helmet, { contentSecurityPolicy: false, frameguard: false });
  app.addHook("onSend", async (request, reply) => {
    if (request.url.startsWith("/api/")) {
      void reply.header("content-security-policy", "default-src 'none'; frame-ancestors 'none'");
      // Every signed-in answer carries personal or configuration data: no browser or proxy may keep a copy.
      if (request.routeOptions.config?.public !== true) void reply.header("cache-control", "no-store");
    }
  });
  await app.register(cors, {
    origin: config.allowedOrigins,
    methods: ["GET", "POST", "PUT", "PATCH", "DELETE"],
    allowedHeaders: ["authorization", "content-type", "if-match"],
    exposedHeaders: ["etag"],
    maxAge: 600,
  });
  await app.register(rateLimit, {
    global: true,
    max: config.rateLimit.max,
    timeWindow: config.rateLimit.windowMs,
    // After sign-in, so the budget belongs to the token's subject rather than a shared NAT address.
    hook: "preHandler",
    // Budget headers only on 429 answers (with Retry-After); three extra headers on every answer cost throughput.
    addHeadersOnExceeding: { "x-ratelimit-limit": false, "x-ratelimit-remaining": false, "x-ratelimit-reset": false },
    keyGenerator: (request) =>
      request.identity ? `sub:${request.identity.issuer}|${request.identity.subject}` : `ip:${request.ip}`,
  });
  await app.register(swagger, {
    openapi: {
      openapi: "3.0.3",
      info: {
        title: "Sync Sidebar companion API",
        version: "1.0.0",
        description:
          "Organizations, their users, email configuration and audit trail. Every route needs a bearer token except " +
          "/api/health, /api/client-config (the pane's public sign-in settings) and /api/openapi.json. Errors are " +
          "application/problem+json with `errors: [{field, message}]`.",
      },
      components: {
        securitySchemes: { bearerAuth: { type: "http", scheme: "bearer", bearerFormat: "JWT" } },
      },
      security: [{ bearerAuth: [] }],
    },
    // Shared schemas keep their $id as the component name (e.g. #/components/schemas/Problem).
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, index) =>
        typeof json.$id === "string" ? json.$id : `def-${index}`,
    },
  });
  installAuth(app, tokens, config.rateLimit);
  installOrgAccess(app, (orgId, email) => membershipIn(repos, orgId, email));
}
