/**
 * The few Microsoft Graph calls the app-only access type needs, with a bearer token from client credentials.
 * A 401 is retried once with a fresh token (the cached one may have just expired).
 */
import type { ExchangeFetch, OutboundRequestInit } from "../transport.js";
import type { Classified } from "../transport.js";
import { sendHttp } from "../transport.js";
import type { GraphOutcome } from "./classify.js";
import { classifyGraphAnswer } from "./classify.js";

export type BearerToken = { ok: true; accessToken: string } | { ok: false; classified: Classified };

export interface GraphClient {
  get(pathAndQuery: string, signal: AbortSignal): Promise<GraphOutcome>;
  /** POST with a JSON body, or DELETE; a 204 answer is ok with json null. */
  send(method: "POST" | "DELETE", pathAndQuery: string, signal: AbortSignal, body?: unknown): Promise<GraphOutcome>;
  /** Follows @odata.nextLink on the same origin, at most maxPages pages. */
  getAll(
    pathAndQuery: string,
    signal: AbortSignal,
    maxPages?: number,
  ): Promise<{ ok: true; values: unknown[] } | { ok: false; classified: Classified }>;
}

interface GraphRequest {
  method: OutboundRequestInit["method"];
  url: string;
  body?: unknown;
}

export const DEFAULT_GRAPH_BASE_URL = "https://graph.microsoft.com";

/** Path segment of a user: UPN or id, percent-encoded so an address cannot change the path. */
export function userSegment(upn: string): string {
  return encodeURIComponent(upn);
}

export function createGraphClient(options: {
  fetch: ExchangeFetch;
  baseUrl: string;
  token: (forceRefresh: boolean, signal: AbortSignal) => Promise<BearerToken>;
  timeoutMs: number;
}): GraphClient {
  const base = new URL(options.baseUrl);
  const root = base.href.replace(/\/+$/, "");

  async function once(request: GraphRequest, signal: AbortSignal, forceRefresh: boolean): Promise<GraphOutcome> {
    const token = await options.token(forceRefresh, signal);
    if (!token.ok) return { ok: false, classified: token.classified };
    const headers: Record<string, string> = {
      Authorization: `Bearer ${token.accessToken}`,
      Accept: "application/json",
    };
    const init: OutboundRequestInit = { method: request.method, headers };
    if (request.body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(request.body);
    }
    const result = await sendHttp(options.fetch, request.url, init, { timeoutMs: options.timeoutMs, signal });
    if (!result.ok) return { ok: false, classified: result.failure };
    if (result.answer.status === 204) return { ok: true, json: null, classified: { category: "ok", httpStatus: 204 } };
    return classifyGraphAnswer(result.answer);
  }

  async function request(graphRequest: GraphRequest, signal: AbortSignal): Promise<GraphOutcome> {
    const outcome = await once(graphRequest, signal, false);
    if (!outcome.ok && outcome.classified.category === "auth_failed") return once(graphRequest, signal, true);
    return outcome;
  }
  const get = (url: string, signal: AbortSignal): Promise<GraphOutcome> => request({ method: "GET", url }, signal);

  return {
    get: (pathAndQuery, signal) => get(`${root}${pathAndQuery}`, signal),
    send: (method, pathAndQuery, signal, body) => request({ method, url: `${root}${pathAndQuery}`, body }, signal),
    async getAll(pathAndQuery, signal, maxPages = 50) {
      const values: unknown[] = [];
      let next: string | null = `${root}${pathAndQuery}`;
      for (let page = 0; next !== null && page < maxPages; page += 1) {
        const outcome = await get(next, signal);
        if (!outcome.ok) return outcome;
        const json = outcome.json as { value?: unknown; "@odata.nextLink"?: unknown };
        if (!Array.isArray(json.value)) {
          return {
            ok: false,
            classified: { category: "bad_response", detail: "Graph answered without a value array" },
          };
        }
        values.push(...(json.value as unknown[]));
        const link = json["@odata.nextLink"];
        // Never send the bearer token to another origin, whatever the answer says.
        next = typeof link === "string" && URL.canParse(link) && new URL(link).origin === base.origin ? link : null;
      }
      return { ok: true, values };
    },
  };
}
