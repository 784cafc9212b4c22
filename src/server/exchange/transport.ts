/**
 * One HTTP exchange with Exchange, Graph or Autodiscover through the product's outbound fetch, with a per-request
 * timeout and a bounded body. Transport failures are classified here (TLS, network, timeout) so that no caller ever
 * sees an exception for a user's outcome.
 */
import type { CategoryId } from "../../contract/categories.js";
import type { PinnedConnection } from "../net/outbound.js";

/** The parts of a fetch request the exchange module sends. */
export interface OutboundRequestInit {
  method: "GET" | "POST" | "DELETE";
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
  redirect?: "manual" | "follow" | "error";
}

/** The parts of a fetch response the exchange module reads; both the global fetch and undici's satisfy it. */
export interface OutboundResponse {
  status: number;
  headers: { get(name: string): string | null; forEach(callback: (value: string, name: string) => void): void };
  /** A web ReadableStream of bytes (global or undici's: both are async-iterable in Node). */
  body: object | null;
}

/**
 * The parts of fetch the exchange module calls: in the backend, the outbound HTTP client's ExchangeFetch
 * (src/server/net/outbound.ts) with the URL guard and the lab's CA, whose OutboundBlockedError becomes the
 * url_refused category; in tests, anything that answers these parts.
 */
export type ExchangeFetch = (url: string, init: OutboundRequestInit) => Promise<OutboundResponse>;

/** Opens one TCP connection of its own, for sign-ins bound to the connection (NTLM). */
export type ConnectionOpener = (url: string) => PinnedConnection<ExchangeFetch>;

/** A classified failure: what the driver reports for a user or a preflight step. */
export interface Classified {
  category: CategoryId;
  detail?: string;
  primarySmtpAddress?: string;
  backOffMs?: number;
  httpStatus?: number;
}

export interface HttpAnswer {
  status: number;
  headers: OutboundResponse["headers"];
  body: string;
}

export type HttpResult = { ok: true; answer: HttpAnswer } | { ok: false; failure: Classified };

/** Bodies larger than this are not EWS answers to the tiny requests the checks send. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

const TLS_CODES = new Set([
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "CERT_REVOKED",
  "CERT_UNTRUSTED",
  "CERT_SIGNATURE_FAILURE",
  "ERR_TLS_CERT_ALTNAME_INVALID",
  "ERR_SSL_WRONG_VERSION_NUMBER",
  "ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE",
  "EPROTO",
]);

const TIMEOUT_CODES = new Set([
  "ETIMEDOUT",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "ESOCKETTIMEDOUT",
]);

const URL_REFUSED_CODES = new Set(["URL_NOT_ALLOWED", "ERR_URL_REFUSED", "URL_REFUSED", "ERR_URL_GUARD"]);

function errorChain(error: unknown): Array<{ name?: string; code?: string; message?: string }> {
  const chain: Array<{ name?: string; code?: string; message?: string }> = [];
  let current: unknown = error;
  for (let depth = 0; depth < 6 && typeof current === "object" && current !== null; depth += 1) {
    const record = current as { name?: unknown; code?: unknown; message?: unknown; cause?: unknown };
    const entry: { name?: string; code?: string; message?: string } = {};
    if (typeof record.name === "string") entry.name = record.name;
    if (typeof record.code === "string") entry.code = record.code;
    if (typeof record.message === "string") entry.message = record.message;
    chain.push(entry);
    current = record.cause;
  }
  return chain;
}

/** Maps an exception from fetch (undici) to tls_error, timeout, network_error or forbidden (URL guard). */
export function classifyTransportError(error: unknown, timedOut: boolean): Classified {
  const chain = errorChain(error);
  const codes = chain.map((entry) => entry.code ?? "");
  const firstMessage = chain.find((entry) => entry.message !== undefined && entry.message !== "fetch failed")?.message;
  const detail = [codes.find((code) => code !== ""), firstMessage].filter(Boolean).join(": ") || "request failed";
  const refused = chain.find(
    (entry) => entry.name === "OutboundBlockedError" || URL_REFUSED_CODES.has(entry.code ?? ""),
  );
  if (refused !== undefined) return { category: "url_refused", detail: refused.message ?? detail };
  if (codes.some((code) => TLS_CODES.has(code) || code.startsWith("ERR_TLS_") || code.startsWith("ERR_SSL_"))) {
    return { category: "tls_error", detail };
  }
  if (
    timedOut ||
    codes.some((code) => TIMEOUT_CODES.has(code)) ||
    chain.some((entry) => entry.name === "TimeoutError" || entry.name === "AbortError")
  ) {
    return { category: "timeout", detail: timedOut ? "no answer within the request timeout" : detail };
  }
  return { category: "network_error", detail };
}

/** Retry-After as milliseconds (delta-seconds, fractional as Graph sends "2.128", or an HTTP date); null when absent. */
export function retryAfterMs(
  headers: Pick<OutboundResponse["headers"], "get">,
  now: number = Date.now(),
): number | null {
  const raw = headers.get("retry-after");
  if (raw === null || raw.trim() === "") return null;
  if (/^\d+(\.\d+)?$/.test(raw.trim())) return Math.ceil(Number.parseFloat(raw.trim()) * 1000);
  const date = Date.parse(raw);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

async function readBoundedBody(response: OutboundResponse): Promise<string | null> {
  const declared = Number.parseInt(response.headers.get("content-length") ?? "", 10);
  if (Number.isFinite(declared) && declared > MAX_BODY_BYTES) {
    await (response.body as { cancel?: () => Promise<void> } | null)?.cancel?.();
    return null;
  }
  if (response.body === null) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  // Leaving the loop early cancels the stream, so an oversized answer is not downloaded to the end.
  for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > MAX_BODY_BYTES) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

export interface SendOptions {
  timeoutMs: number;
  signal: AbortSignal;
}

/** Sends one request; resolves with the answer (any status) or a classified transport failure. Never rejects. */
export async function sendHttp(
  fetch: ExchangeFetch,
  url: string,
  init: OutboundRequestInit,
  options: SendOptions,
): Promise<HttpResult> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = AbortSignal.any([options.signal, timeout]);
  try {
    const response = await fetch(url, { redirect: "manual", ...init, signal });
    const body = await readBoundedBody(response);
    if (body === null) {
      return {
        ok: false,
        failure: { category: "bad_response", detail: "the answer was larger than 4 MB", httpStatus: response.status },
      };
    }
    return { ok: true, answer: { status: response.status, headers: response.headers, body } };
  } catch (error) {
    if (options.signal.aborted)
      return { ok: false, failure: { category: "timeout", detail: "the check was cancelled" } };
    return { ok: false, failure: classifyTransportError(error, timeout.aborted) };
  }
}
