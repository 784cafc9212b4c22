/**
 * Every route plugin of the API, registered under /api in this order. Each is an async function of the Fastify
 * instance and reaches shared services through `app.ctx`, sign-in through `request.identity`, and roles through
 * the `app.requireOrgMember` / `app.requireOrgAdmin` preHandlers. To add routes (e.g. the check runner's), import
 * the plugin and add one line to the list.
 */
import type { FastifyInstance } from "fastify";
import { emailConfigHelperRoutes } from "../checks/emailConfigHelpers.js";
import { checkRoutes } from "../checks/routes.js";
import { auditRoutes } from "./audit.js";
import { emailConfigRoutes } from "./emailConfig.js";
import { meRoutes } from "./me.js";
import { orgRoutes } from "./orgs.js";
import { readinessRoutes } from "./readiness.js";
import { systemRoutes } from "./system.js";
import { userRoutes } from "./users.js";

export type ApiRoutes = (app: FastifyInstance) => Promise<void>;

export const apiRoutes: ApiRoutes[] = [
  systemRoutes,
  readinessRoutes,
  meRoutes,
  orgRoutes,
  userRoutes,
  emailConfigRoutes,
  auditRoutes,
  checkRoutes,
  emailConfigHelperRoutes,
];
