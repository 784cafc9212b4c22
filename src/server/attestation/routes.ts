/**
 * Access attestations over HTTP: an admin asks for a finished run's signed attestation; anyone may read the public
 * keys that verify it (an auditor checks the document offline, without an account).
 */
import { Type, type Static } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import type { AttestationDocument, AttestationDto } from "../../contract/attestation.js";
import { callerOf } from "../auth/access.js";
import { RunParams } from "../checks/schemas.js";
import { AUTH_ERRORS, errorResponses } from "../http/schemas.js";
import { attestRun } from "./service.js";
import { attestationKeys } from "./signingKeys.js";

const AttestationSchema = Type.Object({
  jws: Type.String({
    description: "The document signed as a compact JWS (EdDSA, Ed25519; typ sync-sidebar-attestation+jws).",
  }),
  keyId: Type.String({ description: "The signing key's id: the JWS header's kid, listed in /api/attestation-keys." }),
  document: Type.Unsafe<AttestationDocument>({
    type: "object",
    additionalProperties: true,
    description: "The signed payload, decoded: organization, profiles, permissions, preflight, per-user verdicts.",
  }),
});

const JwksSchema = Type.Object({
  keys: Type.Array(
    Type.Object({
      kty: Type.String(),
      crv: Type.String(),
      x: Type.String(),
      kid: Type.String(),
      alg: Type.String(),
      use: Type.String(),
    }),
  ),
});

export function attestationRoutes(app: FastifyInstance): Promise<void> {
  const ctx = app.ctx;

  app.get<{ Params: Static<typeof RunParams> }>(
    "/orgs/:orgId/checks/:runId/attestation",
    {
      preHandler: app.requireOrgAdmin,
      schema: {
        tags: ["checks"],
        summary: "A finished run's signed access attestation (audited)",
        params: RunParams,
        response: { 200: AttestationSchema, ...errorResponses(...AUTH_ERRORS, 403, 404, 409) },
      },
    },
    async (request, reply): Promise<AttestationDto> => {
      void reply.header("cache-control", "no-store");
      return attestRun(ctx, request.params.orgId, request.params.runId, callerOf(request).email);
    },
  );

  app.get(
    "/attestation-keys",
    {
      config: { public: true },
      schema: {
        tags: ["system"],
        summary: "The public keys (JWKS) that verify access attestations",
        security: [],
        response: { 200: JwksSchema },
      },
    },
    async (_request, reply) => {
      void reply.header("cache-control", "public, max-age=300");
      return { keys: await attestationKeys(ctx.repos.db, ctx.keyring, ctx.now).published() };
    },
  );
  return Promise.resolve();
}
