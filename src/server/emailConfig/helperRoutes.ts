/**
 * The email-config helpers the admin uses around a check (admins only): the magic wand (POST …/discover, every
 * step reported), the EWS OAuth service account's sign-in (POST …/service-account: the popup's token exchanged
 * on-behalf-of for an EWS token, its cache kept encrypted) and the RBAC for Applications PowerShell (GET …/rbac-script).
 */
import { Type, type Static } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { EWS_AUTHENTICATIONS, type EwsAuthentication } from "../../contract/accessTypes.js";
import { CATEGORIES, isUnreachable } from "../../contract/categories.js";
import type { EmailConfigDto } from "../../contract/api.js";
import type { DiscoveryResultDto, RbacScriptDto } from "../../contract/checks.js";
import { callerOf } from "../auth/access.js";
import { TokenError } from "../auth/tokenVerifier.js";
import { HttpError, unprocessable } from "../errors.js";
import { discoverEwsUrl, parseDiscoveryInput } from "./discovery.js";
import { signInServiceAccount } from "../exchange/index.js";
import { rbacForApplicationsScript } from "./rbacScript.js";
import { AUTH_ERRORS, Literals, OrgParams, errorResponses } from "../http/schemas.js";
import { EmailConfigSchema } from "./schemas.js";
import { accountLogonProblem } from "./rules.js";
import { identitySettingsFrom, tokenCacheFor } from "./drivers.js";
import { discoveryPassword, recordServiceAccountSignIn } from "./service.js";
import { organizationOf } from "../orgs/service.js";
import { userEmailsOf } from "../users/service.js";

const ADMIN_ERRORS = [...AUTH_ERRORS, 403, 404] as const;
const HELPER_TIMEOUT_MS = 15_000;

const DiscoverBody = Type.Object(
  {
    address: Type.String({ minLength: 1, maxLength: 320 }),
    accountLogon: Type.Optional(Type.String({ maxLength: 320 })),
    password: Type.Optional(Type.String({ maxLength: 1024, format: "password", writeOnly: true })),
    authentication: Type.Optional(Literals(...EWS_AUTHENTICATIONS)),
    autodiscoverUrl: Type.Optional(Type.String({ maxLength: 2048, pattern: "^https://" })),
  },
  { additionalProperties: false },
);

const DiscoveryResultSchema = Type.Object({
  ewsUrl: Type.Union([Type.String(), Type.Null()]),
  exchangeOnline: Type.Boolean(),
  steps: Type.Array(
    Type.Object({
      name: Type.String(),
      url: Type.Union([Type.String(), Type.Null()]),
      outcome: Literals("ok", "failed", "skipped", "found"),
      detail: Type.String(),
      suggestion: Type.Optional(
        Type.Object({ kind: Literals("autodiscoverUrl", "address", "ewsUrl"), value: Type.String() }),
      ),
    }),
  ),
});

const ServiceAccountBody = Type.Object(
  {
    accessToken: Type.String({ minLength: 1, maxLength: 16_384, writeOnly: true }),
    /** The connection profile the service account signs in for; absent: the default profile. */
    profileId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  },
  { additionalProperties: false },
);

const RbacQuery = Type.Object(
  { appId: Type.String({ maxLength: 64 }), servicePrincipalObjectId: Type.String({ maxLength: 64 }) },
  { additionalProperties: false },
);

export function emailConfigHelperRoutes(app: FastifyInstance): Promise<void> {
  const { repos, outbound, tokens } = app.ctx;

  app.post<{ Params: Static<typeof OrgParams>; Body: Static<typeof DiscoverBody> }>(
    "/orgs/:orgId/email-config/discover",
    {
      preHandler: app.requireOrgAdmin,
      schema: {
        tags: ["email-config"],
        summary: "Magic wand: find the EWS URL for an address or domain, reporting every step tried",
        params: OrgParams,
        body: DiscoverBody,
        response: { 200: DiscoveryResultSchema, ...errorResponses(...ADMIN_ERRORS, 422) },
      },
    },
    async (request): Promise<DiscoveryResultDto> => {
      const { orgId } = request.params;
      const { address, accountLogon, password, authentication, autodiscoverUrl } = request.body;
      const parsed = parseDiscoveryInput(address);
      const logonProblem =
        accountLogon === undefined || accountLogon.trim() === ""
          ? null
          : accountLogonProblem(accountLogon.trim(), true);
      const invalid = [
        ...(parsed.ok ? [] : [{ field: "address", message: parsed.message }]),
        ...(logonProblem === null ? [] : [{ field: "accountLogon", message: logonProblem }]),
      ];
      if (invalid.length > 0) throw unprocessable(invalid);
      let credentials: { accountLogon: string; password: string; authentication: EwsAuthentication } | undefined;
      if (accountLogon !== undefined && accountLogon.trim() !== "") {
        const secret = await discoveryPassword(repos, orgId, accountLogon, password);
        if (secret !== "") {
          credentials = {
            accountLogon: accountLogon.trim(),
            password: secret,
            authentication: authentication ?? "automatic",
          };
        }
      }
      return discoverEwsUrl(address, {
        fetch: outbound.fetch,
        // POX signs in as the checks do: Windows authentication (NTLM) on connections of its own, or Basic.
        openConnection: (url) => outbound.openConnection(url),
        timeoutMs: HELPER_TIMEOUT_MS,
        ...(credentials === undefined ? {} : { credentials }),
        ...(autodiscoverUrl === undefined ? {} : { autodiscoverUrl }),
      });
    },
  );

  app.post<{ Params: Static<typeof OrgParams>; Body: Static<typeof ServiceAccountBody> }>(
    "/orgs/:orgId/email-config/service-account",
    {
      preHandler: app.requireOrgAdmin,
      schema: {
        tags: ["email-config"],
        summary: "Sign the EWS OAuth service account in: its popup token is exchanged on-behalf-of for an EWS token",
        params: OrgParams,
        body: ServiceAccountBody,
        response: { 200: EmailConfigSchema, ...errorResponses(...ADMIN_ERRORS, 422, 502) },
      },
    },
    async (request): Promise<EmailConfigDto> => {
      const { orgId } = request.params;
      const { profileId } = request.body;
      const actor = callerOf(request).email;
      if (profileId !== undefined && !(await repos.emailConfigs.profile(orgId, profileId))) {
        throw unprocessable([{ field: "profileId", message: "is not a profile of this organization" }]);
      }
      // The assertion must be a token for this API, from a trusted issuer, before it is sent anywhere.
      let serviceAccount;
      try {
        serviceAccount = await tokens.verify(request.body.accessToken);
      } catch (error) {
        if (error instanceof TokenError) {
          throw unprocessable([{ field: "accessToken", message: `was refused: ${error.message}` }]);
        }
        throw error;
      }
      const org = await organizationOf(repos, orgId);
      const signedIn = await signInServiceAccount(request.body.accessToken, {
        identity: identitySettingsFrom(app.ctx.config.exchange),
        fetch: outbound.fetch,
        ...tokenCacheFor(app.ctx, orgId, profileId),
        tenantId: org?.tenantId ?? serviceAccount.tenantId,
        timeoutMs: HELPER_TIMEOUT_MS,
      });
      if (!signedIn.ok) {
        const { category, detail } = signedIn.classified;
        const known = CATEGORIES[category];
        const message = `${known.message}${detail ? ` (${detail})` : ""} ${known.remedy}`;
        if (isUnreachable(category)) {
          throw new HttpError(502, "Bad Gateway", `The identity provider could not be reached: ${message}`);
        }
        throw unprocessable([{ field: "accessToken", message }]);
      }
      const { session } = signedIn;
      return recordServiceAccountSignIn(repos, {
        orgId,
        ...(profileId === undefined ? {} : { profileId }),
        actor,
        username: session.username ?? serviceAccount.email,
        tokenExpiresAt: session.expiresAt?.toISOString() ?? null,
      });
    },
  );

  app.get<{ Params: Static<typeof OrgParams>; Querystring: Static<typeof RbacQuery> }>(
    "/orgs/:orgId/email-config/rbac-script",
    {
      preHandler: app.requireOrgAdmin,
      schema: {
        tags: ["email-config"],
        summary: "PowerShell creating the RBAC for Applications scope for exactly the org's users, and verifying it",
        params: OrgParams,
        querystring: RbacQuery,
        response: { 200: Type.Object({ script: Type.String() }), ...errorResponses(...ADMIN_ERRORS, 422) },
      },
    },
    async (request): Promise<RbacScriptDto> => {
      const { orgId } = request.params;
      const org = await organizationOf(repos, orgId);
      const emails = [...(await userEmailsOf(repos, orgId))].sort();
      const result = rbacForApplicationsScript({
        appId: request.query.appId,
        servicePrincipalObjectId: request.query.servicePrincipalObjectId,
        orgName: org?.name ?? "organization",
        userEmails: emails,
      });
      if (!result.ok) {
        throw unprocessable(
          result.errors.map((error) =>
            error.field === "appId" || error.field === "servicePrincipalObjectId"
              ? { ...error, field: `query.${error.field}` }
              : error,
          ),
        );
      }
      return { script: result.script };
    },
  );

  return Promise.resolve();
}
