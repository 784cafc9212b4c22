/**
 * Typed errors carrying an HTTP status, and the one handler that turns every error into problem+json (RFC 9457).
 * Server faults (5xx) are logged with their detail and answered without it.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";
import type { ProblemDetails } from "../contract/api.js";

export interface FieldError {
  field: string;
  message: string;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    detail?: string,
    readonly errors?: FieldError[],
    readonly headers?: Record<string, string>,
  ) {
    super(detail ?? title);
    this.name = "HttpError";
  }
}

export const badRequest = (detail: string, errors?: FieldError[]) => new HttpError(400, "Bad Request", detail, errors);
export const unprocessable = (errors: FieldError[]) =>
  new HttpError(422, "Unprocessable Content", errors.map((e) => `${e.field}: ${e.message}`).join("; "), errors);
export const notFound = (what: string) => new HttpError(404, "Not Found", `${what} was not found.`);
export const forbidden = (detail: string) => new HttpError(403, "Forbidden", detail);
export const conflict = (detail: string, errors?: FieldError[]) => new HttpError(409, "Conflict", detail, errors);
export const preconditionFailed = (detail: string) =>
  new HttpError(412, "Precondition Failed", detail, [{ field: "If-Match", message: detail }]);
export const preconditionRequired = (detail: string) =>
  new HttpError(428, "Precondition Required", detail, [{ field: "If-Match", message: detail }]);

/** 429 with Retry-After in whole seconds (at least 1). */
export const tooManyRequests = (detail: string, retryAfterSeconds: number) =>
  new HttpError(429, "Too Many Requests", detail, undefined, {
    "retry-after": String(Math.max(1, Math.ceil(retryAfterSeconds))),
  });

export function unauthorized(detail: string): HttpError {
  // RFC 6750: tell the client why its bearer token was refused, without echoing the token.
  const safe = detail.replace(/["\\]/g, "'");
  return new HttpError(401, "Unauthorized", detail, undefined, {
    "www-authenticate": detail.startsWith("No bearer token")
      ? 'Bearer realm="sync-sidebar"'
      : `Bearer realm="sync-sidebar", error="invalid_token", error_description="${safe}"`,
  });
}

/** A request part failed its schema; carries every field and rule, filled in by the validator compiler. */
export class RequestValidationError extends Error {
  readonly statusCode = 400;
  constructor(readonly errors: FieldError[]) {
    super(errors.map((e) => `${e.field}: ${e.message}`).join("; "));
    this.name = "RequestValidationError";
  }
}

const PROBLEM_TYPE = "about:blank";

function send(reply: FastifyReply, request: FastifyRequest, problem: ProblemDetails): FastifyReply {
  return reply
    .code(problem.status)
    .type("application/problem+json")
    .send({ ...problem, instance: request.url.split("?")[0] });
}

const FASTIFY_CLIENT_ERRORS: Record<string, { field: string; message: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { field: "body", message: "must be valid JSON" },
  FST_ERR_CTP_EMPTY_JSON_BODY: { field: "body", message: "must not be empty when Content-Type is application/json" },
  FST_ERR_CTP_BODY_TOO_LARGE: { field: "body", message: "is larger than this route accepts" },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { field: "Content-Type", message: "must be application/json" },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { field: "Content-Length", message: "does not match the body" },
};

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | HttpError | RequestValidationError, request, reply) => {
    if (error instanceof HttpError) {
      if (error.headers) void reply.headers(error.headers);
      return send(reply, request, {
        type: PROBLEM_TYPE,
        title: error.title,
        status: error.status,
        detail: error.message,
        ...(error.errors ? { errors: error.errors } : {}),
      });
    }
    if (error instanceof RequestValidationError) {
      return send(reply, request, {
        type: PROBLEM_TYPE,
        title: "Bad Request",
        status: 400,
        detail: error.message,
        errors: error.errors,
      });
    }
    const status = typeof error.statusCode === "number" ? error.statusCode : 500;
    if (status >= 400 && status < 500) {
      const known = FASTIFY_CLIENT_ERRORS[error.code];
      return send(reply, request, {
        type: PROBLEM_TYPE,
        title: status === 413 ? "Content Too Large" : status === 429 ? "Too Many Requests" : "Bad Request",
        status,
        detail: known ? `${known.field} ${known.message}` : error.message,
        ...(known ? { errors: [known] } : {}),
      });
    }
    request.log.error({ err: error }, "request failed");
    return send(reply, request, {
      type: PROBLEM_TYPE,
      title: "Internal Server Error",
      status: 500,
      detail: "The server failed to answer this request; the incident was logged.",
    });
  });

  app.setNotFoundHandler((request, reply) =>
    send(reply, request, {
      type: PROBLEM_TYPE,
      title: "Not Found",
      status: 404,
      detail: `No route ${request.method} ${request.url.split("?")[0]}.`,
    }),
  );
}

/**
 * The headers every API answer carries (helmet's and the API's deny-all CSP). An answer built before any hook runs
 * (a router-level refusal) sets them itself.
 */
export const API_SECURITY_HEADERS: Record<string, string> = {
  "content-security-policy": "default-src 'none'; frame-ancestors 'none'",
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-origin",
  "origin-agent-cluster": "?1",
  "referrer-policy": "no-referrer",
  "strict-transport-security": "max-age=31536000; includeSubDomains",
  "x-content-type-options": "nosniff",
  "x-dns-prefetch-control": "off",
  "x-download-options": "noopen",
  "x-permitted-cross-domain-policies": "none",
  "x-xss-protection": "0",
  "cache-control": "no-store",
};

const FRAMEWORK_ERRORS: Record<string, { status: number; detail: string }> = {
  FST_ERR_BAD_URL: { status: 400, detail: "The request path is not valid percent-encoded UTF-8." },
  FST_ERR_MAX_PARAM_LENGTH: {
    status: 414,
    detail: "A path segment of the request is longer than this server accepts.",
  },
};

/**
 * Fastify's frameworkErrors: what the router refuses before any route or hook runs (a path that does not decode, a
 * path parameter over the length limit) is problem+json with the API's headers, and names no part of the input.
 */
export function problemForFrameworkError(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const known = FRAMEWORK_ERRORS[error.code] ?? { status: 400, detail: "The request could not be routed." };
  void reply
    .code(known.status)
    .headers(API_SECURITY_HEADERS)
    .type("application/problem+json")
    .send({
      type: PROBLEM_TYPE,
      title: STATUS_CODES[known.status] ?? "Bad Request",
      status: known.status,
      detail: known.detail,
    });
}

const CLIENT_ERRORS: Record<string, { status: number; detail: string }> = {
  HPE_HEADER_OVERFLOW: { status: 431, detail: "The request's header fields are larger than this server accepts." },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, detail: "The request was not received in time." },
};

/**
 * Fastify's clientErrorHandler: what Node's HTTP parser refuses before any route runs (oversized headers, a
 * request timeout, a malformed request) is answered as problem+json like every other error, then the socket closes.
 */
export function problemForClientError(error: Error & { code?: string }, socket: Duplex): void {
  if (error.code === "ECONNRESET" || socket.destroyed) return;
  const known = CLIENT_ERRORS[error.code ?? ""] ?? { status: 400, detail: "The request could not be parsed." };
  const title = STATUS_CODES[known.status] ?? "Bad Request";
  const body = JSON.stringify({ type: PROBLEM_TYPE, title, status: known.status, detail: known.detail });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${known.status} ${title}\r\nContent-Type: application/problem+json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
