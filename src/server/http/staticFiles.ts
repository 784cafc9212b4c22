/**
 * Serves a built pane folder at / (STATIC_DIR) with @fastify/static, so a deployment and the browser tests use one
 * origin with the API. Only the files present at start-up are routes (dist/ is immutable once built); the compiled
 * server inside dist/ and dotfiles are never served; unknown paths without an extension fall back to index.html.
 */
import fastifyStatic from "@fastify/static";
import type { FastifyInstance } from "fastify";
import { existsSync } from "node:fs";
import path from "node:path";

/** The pane runs inside Outlook's frames and loads Office.js from Microsoft's CDN. */
export const PANE_CSP = [
  "default-src 'self'",
  "script-src 'self' https://appsforoffice.microsoft.com",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: https:",
  "connect-src 'self' https:",
  "frame-src 'self' https:",
  "frame-ancestors 'self' https://*.office.com https://*.office365.com https://*.outlook.com https://*.microsoft.com https://*.live.com",
].join("; ");

/** Folders of dist/ that hold the compiled backend rather than the pane. */
const NOT_THE_PANE = ["server/**", "contract/**"];

function cacheControl(file: string): string {
  if (file.endsWith(".html")) return "no-cache";
  // Vite names what it emits under assets/ by content hash, so a changed file is a new URL.
  if (file.split(path.sep).includes("assets") && /-[A-Za-z0-9_-]{8,}\.[a-z0-9]+$/.test(file)) {
    return "public, max-age=31536000, immutable";
  }
  return "public, max-age=3600";
}

export function serveStatic(root: string) {
  const base = path.resolve(root);
  return async function staticRoutes(app: FastifyInstance): Promise<void> {
    // Files are public (the sign-in hook skips public routes); this context's routes only.
    app.addHook("onRoute", (route) => {
      route.config = { ...(route.config as object), public: true };
    });
    // RFC 9239: JavaScript is text/javascript (@fastify/send still names the obsolete application/javascript).
    app.addHook("onSend", async (_request, reply) => {
      const type = reply.getHeader("content-type");
      if (typeof type === "string" && type.startsWith("application/javascript")) {
        void reply.header("content-type", type.replace("application/javascript", "text/javascript"));
      }
    });
    await app.register(fastifyStatic, {
      root: base,
      prefix: "/",
      wildcard: false,
      globIgnore: NOT_THE_PANE,
      serveDotFiles: false,
      dotfiles: "deny",
      cacheControl: false,
      setHeaders: (response, file) => {
        response.setHeader("content-security-policy", PANE_CSP);
        response.setHeader("cache-control", cacheControl(file));
      },
    });
    const hasIndex = existsSync(path.join(base, "index.html"));
    app.get("/*", { schema: { hide: true } }, (request, reply) => {
      const requested = (request.params as { "*": string })["*"];
      // Unknown API paths stay API 404s rather than falling back to the pane.
      if (requested === "api" || requested.startsWith("api/")) return reply.callNotFound();
      if (!hasIndex || path.posix.extname(requested) !== "") return reply.callNotFound();
      return reply.sendFile("index.html");
    });
  };
}
