/**
 * Entra ID's client-credential refusals, with the AADSTS codes and JSON shape login.microsoftonline.com sends: a
 * wrong secret (AADSTS7000215), an unknown client id (AADSTS700016), an unknown tenant (AADSTS90002), and the
 * scenario's injected failures (an expired secret AADSTS7000222, Conditional Access for workload identities
 * AADSTS53003). oidc-provider's own answers are rewritten after the fact, so the token request body is read by
 * oidc-provider alone.
 */
import { randomUUID } from "node:crypto";
import type { ServerResponse } from "node:http";
import type Provider from "oidc-provider";
import type { Directory } from "../directory.js";
import type { CredentialFailure, Scenario } from "../scenario.js";

export interface EntraError {
  status: number;
  body: Record<string, unknown>;
}

export function entraError(status: number, error: string, code: number, description: string): EntraError {
  const traceId = randomUUID();
  const correlationId = randomUUID();
  const timestamp = new Date().toISOString().replace("T", " ").slice(0, 19) + "Z";
  return {
    status,
    body: {
      error,
      error_description: `AADSTS${code}: ${description}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlationId}\r\nTimestamp: ${timestamp}`,
      error_codes: [code],
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
      error_uri: `https://login.microsoftonline.com/error?code=${code}`,
    },
  };
}

const INJECTED: Record<CredentialFailure, (clientId: string) => EntraError> = {
  secretExpired: (clientId) =>
    entraError(
      401,
      "invalid_client",
      7000222,
      `The provided client secret keys for app '${clientId}' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds.`,
    ),
  conditionalAccess: () =>
    entraError(
      400,
      "invalid_grant",
      53003,
      "Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.",
    ),
};

/** Answer of /{tenant}/v2.0/… for a tenant the lab does not play. */
export function sendUnknownTenant(res: ServerResponse, tenant: string): void {
  const { status, body } = entraError(
    400,
    "invalid_tenant",
    90002,
    `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`,
  );
  res.writeHead(status, { "content-type": "application/json; charset=utf-8" });
  res.end(JSON.stringify(body));
}

/** Rewrites oidc-provider's token endpoint answers to client-credential requests into Entra's refusals. */
export function installEntraRefusals(provider: Provider, scenario: Scenario, directory: Directory): void {
  const known = new Set([
    scenario.apps.spa.clientId,
    scenario.apps.backend.clientId,
    ...directory.appsByClientId.keys(),
  ]);
  provider.use(async (ctx, next) => {
    await next();
    const params = (ctx.oidc as { params?: Record<string, unknown> } | undefined)?.params;
    if (ctx.path !== "/oauth2/token" || params?.grant_type !== "client_credentials") return;
    const clientId = typeof params.client_id === "string" ? params.client_id : "";
    const body = ctx.body as { error?: unknown } | undefined;
    let refusal: EntraError | null = null;
    if (body?.error === "invalid_client" && params.client_assertion === undefined) {
      refusal = known.has(clientId)
        ? entraError(
            401,
            "invalid_client",
            7000215,
            `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
          )
        : entraError(
            400,
            "unauthorized_client",
            700016,
            `Application with identifier '${clientId}' was not found in the directory '${scenario.domain}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
          );
    } else if (ctx.status === 200) {
      const failure = directory.appsByClientId.get(clientId)?.credentialFailure;
      if (failure !== undefined) refusal = INJECTED[failure](clientId);
    }
    if (refusal === null) return;
    ctx.status = refusal.status;
    ctx.body = refusal.body;
  });
}
