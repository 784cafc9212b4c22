import type Provider from "oidc-provider";
import { errors, type KoaContextWithOIDC } from "oidc-provider";
import { verifyLabToken } from "./keys.js";
import type { IdentityOptions } from "./provider.js";
import { resourcesOf, type ResourceInfo } from "./resources.js";

/** The on-behalf-of grant: the backend trades the pane's API token for a delegated token to EWS (or Graph). */
export async function onBehalfOf(
  ctx: KoaContextWithOIDC,
  provider: Provider,
  options: IdentityOptions,
  resourceInfo: ResourceInfo,
): Promise<void> {
  const { scenario, directory, key, issuer } = options;
  const client = ctx.oidc.client;
  const params = ctx.oidc.params as { assertion?: string; requested_token_use?: string; scope?: string };
  if (!client) throw new errors.InvalidClient();
  if (params.requested_token_use !== "on_behalf_of")
    throw new errors.InvalidRequest("requested_token_use must be on_behalf_of");
  if (!params.assertion) throw new errors.InvalidRequest("assertion is required");
  let claims;
  try {
    claims = await verifyLabToken(key, issuer, params.assertion);
  } catch (error) {
    throw new errors.InvalidGrant(
      `AADSTS50013: Assertion failed signature validation or has expired (${(error as Error).message}).`,
    );
  }
  if (claims.aud !== client.clientId)
    throw new errors.InvalidGrant(
      "AADSTS50013: Assertion audience does not match the Client app presenting the assertion.",
    );
  const user = claims.oid ? directory.byOid.get(claims.oid) : undefined;
  if (!user || claims.scp === undefined)
    throw new errors.InvalidGrant("AADSTS50013: The assertion is not a delegated user token.");
  const requested = (params.scope ?? "").split(" ").filter(Boolean);
  const resources = resourcesOf(requested.join(" "));
  if (resources.length !== 1 || !resources[0])
    throw new errors.InvalidScope("AADSTS70011: request exactly one resource's scopes", params.scope ?? "");
  const resource = resources[0];
  const server = resourceInfo(resource);
  const allowed = new Set((server.scope ?? "").split(" "));
  let resourceScopes = requested.filter((s) => allowed.has(s));
  if (resourceScopes.includes(`${resource}/.default`))
    resourceScopes = (server.scope ?? "").split(" ").filter((s) => !s.endsWith("/.default"));
  if (resourceScopes.length === 0)
    throw new errors.InvalidScope("AADSTS70011: The provided scope is not valid.", requested.join(" "));

  const grant = new provider.Grant({ accountId: user.oid, clientId: client.clientId });
  grant.addOIDCScope("openid profile offline_access");
  grant.addResourceScope(resource, resourceScopes.join(" "));
  const grantId = await grant.save();

  const accessToken = new provider.AccessToken({
    accountId: user.oid,
    client,
    grantId,
    gty: "jwt-bearer",
    scope: resourceScopes.join(" "),
  });
  accessToken.resourceServer = new provider.ResourceServer(resource, server);
  const accessValue = await accessToken.save();
  const refreshToken = new provider.RefreshToken({
    accountId: user.oid,
    client,
    grantId,
    gty: "jwt-bearer",
    scope: ["openid", "profile", "offline_access", ...resourceScopes].join(" "),
    resource,
  });
  const refreshValue = await refreshToken.save();
  ctx.body = {
    token_type: "Bearer",
    scope: resourceScopes.join(" "),
    expires_in: scenario.tokens.accessTokenSeconds,
    ext_expires_in: scenario.tokens.accessTokenSeconds,
    access_token: accessValue,
    refresh_token: refreshValue,
  };
}
