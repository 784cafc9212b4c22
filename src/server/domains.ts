/**
 * Every route plugin of the API, registered under /api in this order. Each is an async function of the Fastify
 * instance and reaches shared services through `app.ctx`, sign-in through `request.identity`, and roles through
 * the `app.requireOrgMember` / `app.requireOrgAdmin` preHandlers. To add routes (e.g. the check runner's), import
 * the plugin and add one line to the list.
 */
import type { FastifyInstance } from "fastify";
import { emailConfigHelperRoutes } from "./emailConfig/helperRoutes.js";
import { checkRoutes } from "./checks/routes.js";
import { auditRoutes } from "./audit/routes.js";
import { emailConfigRoutes } from "./emailConfig/routes.js";
import { meRoutes } from "./orgs/meRoutes.js";
import { orgRoutes } from "./orgs/routes.js";
import { systemRoutes } from "./system/routes.js";
import { userRoutes } from "./users/routes.js";

export type ApiRoutes = (app: FastifyInstance) => Promise<void>;

export const apiRoutes: ApiRoutes[] = [
  systemRoutes,
  meRoutes,
  orgRoutes,
  userRoutes,
  emailConfigRoutes,
  auditRoutes,
  checkRoutes,
  emailConfigHelperRoutes,
];
