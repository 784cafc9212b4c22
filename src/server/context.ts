/**
 * What every route plugin reaches through `app.ctx`: configuration, the database and its repositories, the keyring,
 * the outbound HTTP client, the token verifier and the domain services. One object, built once by buildApp.
 */
import type {} from "@fastify/swagger";
import type { ServerConfig } from "./config.js";
import type { Database } from "./db/database.js";
import type { OutboundClient } from "./net/outbound.js";
import type { CheckService } from "./checks/service.js";
import type { MonitoringScheduler } from "./monitoring/scheduler.js";
import type { MonitoringService } from "./monitoring/service.js";
import type { Repositories } from "./repositories.js";
import type { Keyring } from "./secrets/keyring.js";
import type { TokenVerifier } from "./auth/tokenVerifier.js";

export interface AppContext {
  config: ServerConfig;
  database: Database;
  repos: Repositories;
  keyring: Keyring;
  outbound: OutboundClient;
  tokens: TokenVerifier;
  now: () => Date;
  /** Check runs: started, followed, cancelled and resumed after a crash. */
  checks: CheckService;
  /** Schedules, history, alerts and their channels. */
  monitoring: MonitoringService;
  /** Starts scheduled runs (a timer every MONITORING_TICK_MS; tests call tick() with their own clock). */
  scheduler: MonitoringScheduler;
}

declare module "fastify" {
  interface FastifyInstance {
    ctx: AppContext;
  }
}
