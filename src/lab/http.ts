/**
 * Small HTTP plumbing shared by the lab's services: body reading, answering, latency, injected faults and
 * per-principal concurrency budgets.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { FaultKind, FaultRule, FaultService, Scenario } from "./scenario.js";

export function readBody(req: IncomingMessage, limit = 4 * 1024 * 1024): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new Error("request body too large"));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () =>
      resolve(chunks.length === 1 ? chunks[0]!.toString("utf8") : Buffer.concat(chunks).toString("utf8")),
    );
    req.on("error", reject);
  });
}

export function send(
  res: ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string | number> = {},
): void {
  if (res.writableEnded || res.destroyed) return;
  res.writeHead(status, { "content-length": Buffer.byteLength(body), ...headers });
  res.end(body);
}

export function sendJson(
  res: ServerResponse,
  status: number,
  value: unknown,
  headers: Record<string, string | number> = {},
): void {
  send(res, status, JSON.stringify(value), { "content-type": "application/json; charset=utf-8", ...headers });
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function latencyFor(scenario: Scenario): number {
  const { min, max } = scenario.latencyMs;
  return max <= 0 ? 0 : min + Math.floor(Math.random() * (max - min + 1));
}

/** The first fault rule that fires for this request, if any. */
export function pickFault(
  faults: readonly FaultRule[],
  service: Exclude<FaultService, "any">,
  target: string | undefined,
): FaultKind | undefined {
  for (const rule of faults) {
    if (rule.service !== "any" && rule.service !== service) continue;
    if (rule.users && (!target || !rule.users.includes(target))) continue;
    if (rule.rate >= 1 || (rule.rate > 0 && Math.random() < rule.rate)) return rule.kind;
  }
  return undefined;
}

/**
 * Acts out a transport-level fault. Returns true when the fault consumed the request ("throttle" is left to the
 * service, which knows how to answer busy).
 */
export function actOutFault(
  kind: FaultKind,
  res: ServerResponse,
  goodBody: () => string,
  contentType: string,
): boolean {
  switch (kind) {
    case "http500":
      send(res, 500, "Internal Server Error", { "content-type": "text/plain; charset=utf-8" });
      return true;
    case "reset":
      dropConnection(res);
      return true;
    case "truncated": {
      const body = goodBody();
      const cut = body.slice(0, Math.max(1, Math.floor(body.length / 2)));
      // Announce the full length, send half, then drop the connection: what a proxy dying mid-response looks like.
      res.writeHead(200, { "content-type": contentType, "content-length": Buffer.byteLength(body) });
      res.write(cut, () => res.socket?.destroy());
      return true;
    }
    case "malformed": {
      const body = goodBody()
        .replace(/<\/[^>]+>\s*$/, "")
        .concat("<unclosed");
      send(res, 200, body, { "content-type": contentType });
      return true;
    }
    case "noAnswer":
      // Keep the socket open and never answer; the lab's close() destroys it.
      return true;
    case "throttle":
      return false;
  }
}

/** Drops the connection without an answer: a TCP reset where the socket allows it (TLS sockets cannot), else a close. */
function dropConnection(res: ServerResponse): void {
  const socket = res.socket;
  if (!socket) return;
  try {
    socket.resetAndDestroy();
  } catch {
    socket.destroy();
  }
}

/** Concurrent requests per principal (EWSMaxConcurrency for a service account, Graph's per-app limit). */
export class ConcurrencyBudget {
  private readonly inFlight = new Map<string, number>();

  /** `limitOf`: a principal's own limit, when it has one (a service account's ewsBudget); else `limit`. */
  constructor(
    private readonly limit: number,
    private readonly limitOf: (key: string) => number | undefined = () => undefined,
  ) {}

  tryAcquire(key: string): boolean {
    const current = this.inFlight.get(key) ?? 0;
    if (current >= (this.limitOf(key) ?? this.limit)) return false;
    this.inFlight.set(key, current + 1);
    return true;
  }

  release(key: string): void {
    const current = this.inFlight.get(key) ?? 0;
    if (current <= 1) this.inFlight.delete(key);
    else this.inFlight.set(key, current - 1);
  }
}

export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) =>
    c === "<" ? "&lt;" : c === ">" ? "&gt;" : c === "&" ? "&amp;" : c === '"' ? "&quot;" : "&apos;",
  );
}
