/**
 * An Entra ID v2-like identity provider for one tenant, built on oidc-provider and mounted at /{tenantId}/v2.0:
 * discovery, authorize (PKCE), token, JWKS, end session, a login page for the scenario's users; client credentials
 * with `roles`; on-behalf-of (jwt-bearer) issuing delegated EWS tokens and refresh tokens. Access tokens are JWTs
 * with Entra's claims (tid, oid, preferred_username, scp or roles, ver 2.0, azp/appid); Entra-style scopes such as
 * "https://outlook.office365.com/EWS.AccessAsUser.All" select the audience (resource indicators).
 */
import { X509Certificate, randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
// Before oidc-provider, which warns about Node.js 20 at import: see the file.
import "./quietRuntimeWarning.js";
import Provider, { errors, interactionPolicy } from "oidc-provider";
import type { Configuration, KoaContextWithOIDC, ClientMetadata, ResourceServer } from "oidc-provider";
import type { Directory } from "../directory.js";
import type { Scenario } from "../scenario.js";
import type { LabStats } from "../stats.js";
import { verifyLabToken, type SigningKey } from "./keys.js";
import { installEntraRefusals } from "./entraErrors.js";
import { handleInteraction } from "./interaction.js";
import { memoryAdapterFactory } from "./memoryAdapter.js";

export const EWS_RESOURCE = "https://outlook.office365.com";
export const GRAPH_RESOURCE = "https://graph.microsoft.com";
const OBO_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer";
const OIDC_SCOPES = ["openid", "profile", "email", "offline_access"];

export interface IdentityOptions {
  scenario: Scenario;
  directory: Directory;
  key: SigningKey;
  issuer: string;
  stats: LabStats;
}

/** "https://outlook.office365.com/EWS.AccessAsUser.All" → ["https://outlook.office365.com", "EWS.AccessAsUser.All"]. */
export function splitScope(scope: string): [resource: string, name: string] | null {
  const match = /^((?:https|api):\/\/[^/]+)\/(.+)$/.exec(scope);
  return match?.[1] && match[2] ? [match[1], match[2]] : null;
}

function isLoopbackHttps(uri: string): URL | null {
  const url = URL.parse(uri);
  if (!url || url.protocol !== "https:" || url.username || url.password) return null;
  return ["localhost", "127.0.0.1", "[::1]"].includes(url.hostname) ? url : null;
}

export class IdentityService {
  private constructor(
    private readonly provider: Provider,
    private readonly options: IdentityOptions,
  ) {}

  static create(options: IdentityOptions): IdentityService {
    const { scenario, directory, key, issuer } = options;
    const apiResource = splitScope(scenario.apps.backend.apiScope)?.[0] ?? "api://sync-sidebar";

    const resourceInfo = (indicator: string): ResourceServer => {
      const base = {
        accessTokenFormat: "jwt" as const,
        accessTokenTTL: scenario.tokens.accessTokenSeconds,
        jwt: { sign: { alg: "RS256" as const } },
      };
      if (indicator === EWS_RESOURCE)
        return {
          ...base,
          audience: EWS_RESOURCE,
          scope: `${EWS_RESOURCE}/EWS.AccessAsUser.All ${EWS_RESOURCE}/.default`,
        };
      if (indicator === GRAPH_RESOURCE) {
        const delegated = ["User.Read", "Mail.Read", "Place.Read.All"].map((s) => `${GRAPH_RESOURCE}/${s}`).join(" ");
        return { ...base, audience: GRAPH_RESOURCE, scope: `${delegated} ${GRAPH_RESOURCE}/.default` };
      }
      if (indicator === apiResource)
        return {
          ...base,
          audience: scenario.apps.backend.clientId,
          scope: `${scenario.apps.backend.apiScope} ${apiResource}/.default`,
        };
      throw new errors.InvalidTarget(
        `AADSTS500011: The resource principal named ${indicator} was not found in the tenant.`,
      );
    };

    const clients: ClientMetadata[] = [
      {
        client_id: scenario.apps.spa.clientId,
        client_name: "Sync Sidebar (pane)",
        token_endpoint_auth_method: "none",
        application_type: "web",
        grant_types: ["authorization_code", "refresh_token"],
        response_types: ["code"],
        // Concrete entries for metadata; redirectUriAllowed below admits any loopback https origin with these paths.
        redirect_uris: scenario.apps.spa.redirectPaths.map((p) => `https://localhost${p}`),
        post_logout_redirect_uris: scenario.apps.spa.redirectPaths.map((p) => `https://localhost${p}`),
      },
      {
        client_id: scenario.apps.backend.clientId,
        client_name: "Sync Sidebar (backend)",
        client_secret: scenario.apps.backend.secret,
        token_endpoint_auth_method: "client_secret_post",
        grant_types: ["authorization_code", "refresh_token", "client_credentials", OBO_GRANT],
        response_types: ["code"],
        redirect_uris: ["https://localhost/auth/callback"],
      },
      ...scenario.apps.appOnly.map((app): ClientMetadata => {
        const common: ClientMetadata = {
          client_id: app.clientId,
          client_name: app.displayName,
          grant_types: ["client_credentials"],
          response_types: [],
          redirect_uris: [],
        };
        if (app.certificatePem) {
          const cert = new X509Certificate(app.certificatePem);
          const jwk = cert.publicKey.export({ format: "jwk" });
          return { ...common, token_endpoint_auth_method: "private_key_jwt", jwks: { keys: [{ ...jwk, use: "sig" }] } };
        }
        return { ...common, token_endpoint_auth_method: "client_secret_post", client_secret: app.secret ?? "" };
      }),
    ];

    const configuration: Configuration = {
      adapter: memoryAdapterFactory(),
      clients,
      jwks: { keys: [key.privateJwk] },
      cookies: { keys: [randomBytes(32).toString("hex")] },
      scopes: OIDC_SCOPES,
      claims: {
        openid: ["sub", "oid", "tid", "preferred_username", "name", "ver"],
        profile: ["name", "preferred_username"],
        email: ["email"],
      },
      conformIdTokenClaims: false,
      pkce: { required: () => true },
      routes: {
        authorization: "/oauth2/authorize",
        token: "/oauth2/token",
        jwks: "/discovery/keys",
        end_session: "/oauth2/logout",
        userinfo: "/oidc/userinfo",
        revocation: "/oauth2/revoke",
      },
      ttl: {
        AccessToken: scenario.tokens.accessTokenSeconds,
        ClientCredentials: scenario.tokens.accessTokenSeconds,
        RefreshToken: scenario.tokens.refreshTokenSeconds,
        AuthorizationCode: 600,
        IdToken: 3600,
        Interaction: 3600,
        Session: 86_400,
        Grant: scenario.tokens.refreshTokenSeconds,
      },
      features: {
        devInteractions: { enabled: false },
        clientCredentials: { enabled: true },
        rpInitiatedLogout: { enabled: true, logoutSource: logoutPage },
        userinfo: { enabled: false },
        revocation: { enabled: true },
        resourceIndicators: {
          enabled: true,
          // Entra derives the audience from the scope ("{resource}/{scope}"), not from a resource parameter.
          defaultResource: (ctx) => {
            const scope = typeof ctx.oidc.params?.scope === "string" ? ctx.oidc.params.scope : "";
            const resources = [
              ...new Set(
                scope
                  .split(" ")
                  .map(splitScope)
                  .filter((s) => s !== null)
                  .map(([r]) => r),
              ),
            ];
            return resources.length === 1 ? resources[0]! : resources.length ? resources : undefined!;
          },
          useGrantedResource: () => true,
          getResourceServerInfo: (_ctx, indicator) => resourceInfo(indicator),
        },
      },
      interactions: {
        policy: signInPolicy(directory),
        url: (_ctx, interaction) => `/${scenario.tenantId}/v2.0/interaction/${interaction.uid}`,
      },
      // Entra's refresh tokens outlive the browser session: MSAL always asks for offline_access, which oidc-provider
      // would drop without prompt=consent; and signing another account in must not revoke the first one's tokens.
      issueRefreshToken: (_ctx, client, code) => {
        if (!client.grantTypeAllowed("refresh_token")) return false;
        // The refresh token inherits the code's scope; MSAL names offline_access again in every refresh request.
        if (code.scope && !code.scope.split(" ").includes("offline_access")) code.scope += " offline_access";
        return true;
      },
      expiresWithSession: () => false,
      loadExistingGrant: async (ctx) => {
        // First-party lab: consent is implied; a fresh grant covers exactly what was asked.
        const accountId = ctx.oidc.session?.accountId;
        if (!accountId || !ctx.oidc.client) return undefined;
        const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId });
        grant.addOIDCScope([...(ctx.oidc.requestParamOIDCScopes ?? [])].join(" ") || "openid");
        for (const [indicator, server] of Object.entries(ctx.oidc.resourceServers ?? {})) {
          if (server.scope) grant.addResourceScope(indicator, server.scope);
        }
        await grant.save();
        return grant;
      },
      findAccount: (_ctx, sub, token) => {
        const entry = directory.byOid.get(sub);
        if (!entry) return undefined;
        // Injected refresh failure: a revoked user's refresh token finds no account, so the grant fails (invalid_grant).
        if (token?.kind === "RefreshToken" && entry.refresh === "revoked") return undefined;
        return {
          accountId: sub,
          claims: () => ({
            sub,
            oid: entry.oid,
            tid: scenario.tenantId,
            preferred_username: entry.email,
            name: entry.displayName,
            email: entry.email,
            ver: "2.0",
          }),
        };
      },
      extraTokenClaims: (_ctx, token) => {
        options.stats.tokensIssued++;
        const audience = token.resourceServer?.audience;
        const resource = token.resourceServer?.identifier();
        const base: Record<string, unknown> = {
          tid: scenario.tenantId,
          ver: "2.0",
          azp: token.clientId,
          appid: token.clientId,
        };
        if (token.kind === "ClientCredentials") {
          const app = token.clientId ? directory.appsByClientId.get(token.clientId) : undefined;
          const roles = (resource && app?.roles[resource]) ?? [];
          // A tenant-wide Entra consent is in the token; RBAC for Applications grants never are.
          const consented = resource === GRAPH_RESOURCE ? (app?.tenantWideConsent ?? []) : [];
          return { ...base, roles: [...new Set([...roles, ...consented])], oid: token.clientId, idtyp: "app" };
        }
        const accountId = "accountId" in token ? token.accountId : undefined;
        const entry = typeof accountId === "string" ? directory.byOid.get(accountId) : undefined;
        const scp = (token.scope ?? "")
          .split(" ")
          .map(splitScope)
          .filter(
            (s): s is [string, string] =>
              s !== null && (s[0] === resource || (typeof audience === "string" && s[0] === audience)),
          )
          .map(([, name]) => name)
          .filter((name) => name !== ".default");
        return {
          ...base,
          oid: entry?.oid,
          preferred_username: entry?.email,
          name: entry?.displayName,
          scp: scp.join(" ") || (resource === EWS_RESOURCE ? "EWS.AccessAsUser.All" : ""),
        };
      },
      clientBasedCORS: (_ctx, origin) => isLoopbackHttps(origin) !== null,
      renderError: (ctx, out) => {
        ctx.type = "html";
        ctx.body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign-in error</title></head><body><main><h1>Sign-in error</h1><p role="alert">${escapeHtml(String(out.error))}: ${escapeHtml(String(out.error_description ?? ""))}</p></main></body></html>`;
      },
    };

    const provider = new Provider(issuer, configuration);
    const spaPaths = new Set(scenario.apps.spa.redirectPaths);
    const spaClientId = scenario.apps.spa.clientId;
    // The pane runs on dynamic loopback ports in tests: admit any https loopback origin with a registered path.
    type UriCheck = (this: unknown, uri: string) => boolean;
    const original = Reflect.get<object, string>(provider.Client.prototype, "redirectUriAllowed") as UriCheck;
    provider.Client.prototype.redirectUriAllowed = function (this: { clientId: string }, uri: string): boolean {
      if (this.clientId === spaClientId) {
        const url = isLoopbackHttps(uri);
        if (url && spaPaths.has(url.pathname) && !url.hash) return true;
      }
      return original.call(this, uri);
    };
    const originalLogout = Reflect.get<object, string>(
      provider.Client.prototype,
      "postLogoutRedirectUriAllowed",
    ) as UriCheck;
    provider.Client.prototype.postLogoutRedirectUriAllowed = function (
      this: { clientId: string },
      uri: string,
    ): boolean {
      if (this.clientId === spaClientId && isLoopbackHttps(uri)) return true;
      return originalLogout.call(this, uri);
    };

    installEntraRefusals(provider, scenario, directory);
    provider.registerGrantType(
      OBO_GRANT,
      async (ctx) => {
        await onBehalfOf(ctx, provider, options, resourceInfo);
      },
      ["assertion", "requested_token_use", "scope"],
    );
    return new IdentityService(provider, options);
  }

  /** Serves a request whose path starts with the mount (/{tenantId}/v2.0). */
  async handle(req: IncomingMessage, res: ServerResponse, mount: string): Promise<void> {
    const url = req.url ?? "/";
    if (!url.startsWith(`${mount}/`) && url !== mount) {
      res.writeHead(404, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: "not_found" }));
      return;
    }
    const inner = url.slice(mount.length) || "/";
    if (inner.startsWith("/interaction/")) {
      await handleInteraction(this.provider, this.options.directory, req, res, inner);
      return;
    }
    // oidc-provider derives its mount path from originalUrl versus url, as under Express.
    (req as IncomingMessage & { originalUrl?: string }).originalUrl = url;
    req.url = inner;
    await new Promise<void>((resolve) => {
      res.on("finish", resolve);
      res.on("close", resolve);
      void this.provider.callback()(req, res);
    });
  }
}

/**
 * Entra's prompts on top of oidc-provider's login and consent: `select_account` (the account picker; requested only)
 * and a login_hint naming another account than the session's, which asks for that account's credentials (or answers
 * login_required to prompt=none) instead of silently issuing the session account's tokens.
 */
function signInPolicy(directory: Directory): interactionPolicy.DefaultPolicy {
  const { Check, Prompt, base } = interactionPolicy;
  const policy = base();
  policy.get("login")?.checks.add(
    new Check("login_hint", "login_hint names another account than the signed-in one", "login_required", (ctx) => {
      const hint = typeof ctx.oidc.params?.login_hint === "string" ? ctx.oidc.params.login_hint : "";
      const accountId = ctx.oidc.session?.accountId;
      // A sign-in just finished decides: the user may have typed another address than the hinted one.
      if (!hint || !accountId || ctx.oidc.result?.login) return Check.NO_NEED_TO_PROMPT;
      return directory.find(hint.trim())?.oid !== accountId;
    }),
  );
  policy.add(new Prompt({ name: "select_account", requestable: true }), 0);
  return policy;
}

function escapeHtml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function logoutPage(ctx: KoaContextWithOIDC, form: string): void {
  ctx.body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign out</title></head><body><main><h1>Signing you out…</h1>${form}<script>document.forms[0].submit()</script><noscript><button form="op.logoutForm" type="submit" name="logout" value="yes">Sign out</button></noscript></main></body></html>`;
}

/** The on-behalf-of grant: the backend trades the pane's API token for a delegated token to EWS (or Graph). */
async function onBehalfOf(
  ctx: KoaContextWithOIDC,
  provider: Provider,
  options: IdentityOptions,
  resourceInfo: (indicator: string) => ResourceServer,
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
  const resources = [
    ...new Set(
      requested
        .map(splitScope)
        .filter((s) => s !== null)
        .map(([r]) => r),
    ),
  ];
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
