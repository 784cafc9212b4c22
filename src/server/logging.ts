/** Logger options: pino via Fastify, with every place a secret can hide redacted. */
import type { FastifyRequest, FastifyServerOptions } from "fastify";
import type { LogLevel } from "./config.js";

export const REDACT_PATHS = [
  "req.headers.authorization",
  "req.headers.cookie",
  'req.headers["if-match"]',
  'res.headers["set-cookie"]',
  "headers.authorization",
  "headers.cookie",
  "*.password",
  "*.clientSecret",
  "*.privateKeyPem",
  "*.token",
  "*.accessToken",
  "*.refreshToken",
  "*.tokenCache",
  "*.appOnly.clientSecret",
  "*.appOnly.privateKeyPem",
  "body.password",
  "body.appOnly.clientSecret",
  "body.appOnly.privateKeyPem",
];

export function loggerOptions(level: LogLevel): NonNullable<FastifyServerOptions["logger"]> {
  return {
    level,
    redact: { paths: REDACT_PATHS, censor: "[redacted]" },
    serializers: {
      // Query strings can carry tokens (e.g. OAuth callbacks): log the path only.
      req: (request: FastifyRequest) => ({
        method: request.method,
        url: request.url.split("?")[0] ?? "",
        ip: request.ip,
      }),
    },
  };
}
