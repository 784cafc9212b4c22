/**
 * Sign-in for every /api route: the onRequest hook verifies the bearer token (routes opt out with
 * `config: { public: true }`) and records the caller as `request.identity`. Roles inside an organization are the
 * orgs domain's (orgs/access.ts).
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { HttpError, unauthorized } from "../errors.js";
import { clientKeyOf, createFailedAuthLimiter, tooManyFailedSignIns } from "./failedAuthLimiter.js";
import { KeySetUnavailableError, TokenError, type Identity, type TokenVerifier } from "./tokenVerifier.js";

declare module "fastify" {
  interface FastifyRequest {
    identity: Identity | null;
  }
  interface FastifyContextConfig {
    /** No bearer token needed (health, client configuration, OpenAPI document). */
    public?: boolean;
  }
}

/** The verified caller; routes behind the auth hook can rely on it. */
export function callerOf(request: FastifyRequest): Identity {
  if (!request.identity) throw unauthorized("No bearer token was sent.");
  return request.identity;
}

const BEARER = /^Bearer[ ]+([A-Za-z0-9\-_=]+\.[A-Za-z0-9\-_=]*\.[A-Za-z0-9\-_+/=]*)$/;

/** Installs the hook and decorators on the root instance, so every route plugin sees them. */
export function installAuth(
  app: FastifyInstance,
  tokens: TokenVerifier,
  limits: { authFailureMax: number; windowMs: number },
): void {
  app.decorateRequest("identity", null);
  const failedSignIns = createFailedAuthLimiter({ max: limits.authFailureMax, windowMs: limits.windowMs });

  async function signIn(request: FastifyRequest, header: string): Promise<void> {
    const match = BEARER.exec(header);
    if (!match?.[1]) throw unauthorized("The Authorization header is not a bearer JWT.");
    try {
      request.identity = await tokens.verify(match[1]);
    } catch (error) {
      if (error instanceof TokenError) throw unauthorized(`The bearer token was refused: ${error.message}.`);
      if (error instanceof KeySetUnavailableError) {
        request.log.error({ err: error.cause }, error.message);
        throw new HttpError(503, "Service Unavailable", "Sign-in cannot be verified right now; try again shortly.");
      }
      throw error;
    }
  }

  // Callback style: a token verified before (the pane reuses one for many calls) is accepted synchronously.
  app.addHook("onRequest", (request, _reply, done) => {
    // Unknown routes fall through to the 404 handler; public routes need no token.
    if (request.routeOptions.url === undefined || request.routeOptions.config.public === true) return done();
    const header = request.headers.authorization ?? "";
    const identity = header.startsWith("Bearer ") ? (tokens.known?.(header.slice(7)) ?? null) : null;
    if (identity) {
      request.identity = identity;
      return done();
    }
    const client = clientKeyOf(request.ip);
    const retryAfter = failedSignIns.retryAfterSeconds(client);
    if (retryAfter > 0) return done(tooManyFailedSignIns(retryAfter));
    if (header === "") {
      failedSignIns.recordFailure(client);
      return done(unauthorized("No bearer token was sent."));
    }
    signIn(request, header).then(
      () => done(),
      (error: unknown) => {
        if (error instanceof HttpError && error.status === 401) failedSignIns.recordFailure(client);
        done(error as Error);
      },
    );
  });
}
