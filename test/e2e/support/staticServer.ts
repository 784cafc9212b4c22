import { createReadStream, existsSync, statSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".map": "application/json",
  ".png": "image/png",
  ".svg": "image/svg+xml",
  ".xml": "application/xml",
};

export interface StaticServer {
  /** Base URL without a trailing slash, e.g. http://127.0.0.1:41234 */
  url: string;
  /** Paths requested, in order, for assertions. */
  requests: string[];
  close(): Promise<void>;
}

export interface StaticServerOptions {
  /** Backend base URL that /api/* is proxied to (as the dev server does); without it /api answers 502. */
  apiTarget?: string;
}

/** Serves a built pane (e.g. dist/) on an ephemeral loopback port. */
export async function serveStatic(rootDir: string, options: StaticServerOptions = {}): Promise<StaticServer> {
  const root = path.resolve(rootDir);
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://placeholder");
    requests.push(url.pathname);
    if (url.pathname.startsWith("/api/")) return proxy(req, res, options.apiTarget);
    const relative = url.pathname === "/" ? "taskpane.html" : decodeURIComponent(url.pathname).replace(/^\/+/, "");
    const file = path.resolve(root, relative);
    if (!file.startsWith(root + path.sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { "Content-Type": "text/plain" }).end("not found");
      return;
    }
    res.writeHead(200, { "Content-Type": CONTENT_TYPES[path.extname(file)] ?? "application/octet-stream" });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function proxy(req: http.IncomingMessage, res: http.ServerResponse, target: string | undefined): void {
  if (!target) {
    res.writeHead(502, { "Content-Type": "application/problem+json" });
    res.end(JSON.stringify({ type: "about:blank", title: "No backend configured for this test server", status: 502 }));
    return;
  }
  const upstream = http.request(
    new URL(req.url ?? "/", target),
    { method: req.method, headers: { ...req.headers, host: new URL(target).host } },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on("error", (error) => {
    res.writeHead(502, { "Content-Type": "application/problem+json" });
    res.end(JSON.stringify({ type: "about:blank", title: "Backend unreachable", status: 502, detail: error.message }));
  });
  req.pipe(upstream);
}
