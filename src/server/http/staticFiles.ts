/**
 * Serves a built pane folder at / (STATIC_DIR), so a deployment and the browser tests use one origin with the API.
 * Only files inside the folder; unknown paths without an extension fall back to index.html.
 */
import type { FastifyInstance } from "fastify";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import path from "node:path";

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".map": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".xml": "application/xml",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
};

/** The pane runs inside Outlook's frames and loads Office.js from Microsoft's CDN. */
const PANE_CSP = [
  "default-src 'self'",
  "script-src 'self' https://appsforoffice.microsoft.com",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: https:",
  "connect-src 'self' https:",
  "frame-src 'self' https:",
  "frame-ancestors 'self' https://*.office.com https://*.office365.com https://*.outlook.com https://*.microsoft.com https://*.live.com",
].join("; ");

export function serveStatic(root: string) {
  const base = path.resolve(root);
  return function staticRoutes(app: FastifyInstance): Promise<void> {
    app.get("/*", { config: { public: true }, schema: { hide: true } }, async (request, reply) => {
      let requested: string;
      try {
        requested = decodeURIComponent((request.params as { "*": string })["*"] || "index.html");
      } catch {
        return reply.callNotFound();
      }
      // Unknown API paths stay API 404s rather than falling back to the pane.
      if (requested === "api" || requested.startsWith("api/")) return reply.callNotFound();
      let file = path.resolve(base, requested);
      if (file !== base && !file.startsWith(base + path.sep)) return reply.callNotFound();
      let info = await stat(file).catch(() => null);
      if (info?.isDirectory()) {
        file = path.join(file, "index.html");
        info = await stat(file).catch(() => null);
      }
      if (!info && path.extname(requested) === "") {
        file = path.join(base, "index.html");
        info = await stat(file).catch(() => null);
      }
      if (!info?.isFile()) return reply.callNotFound();
      return reply
        .type(CONTENT_TYPES[path.extname(file).toLowerCase()] ?? "application/octet-stream")
        .header("content-security-policy", PANE_CSP)
        .header("cache-control", file.endsWith(".html") ? "no-cache" : "public, max-age=3600")
        .send(createReadStream(file));
    });
    return Promise.resolve();
  };
}
