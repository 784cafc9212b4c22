/**
 * oidc-provider's configuration for an Entra ID v2-like tenant: the token lifetimes, Entra's resource-from-scope rule,
 * refresh tokens that outlive the browser session, the scenario's accounts and the claims Entra puts in its tokens.
 */
import { randomBytes } from "node:crypto";
import { interactionPolicy } from "oidc-provider";
import type { Configuration, KoaContextWithOIDC } from "oidc-provider";
import type { Directory } from "../directory.js";
import { labClients } from "./clients.js";
import { isLoopbackHttps } from "./loopbackRedirects.js";
import { memoryAdapterFactory } from "./memoryAdapter.js";
import type { IdentityOptions } from "./provider.js";
import { EWS_RESOURCE, GRAPH_RESOURCE, resourcesOf, splitScope, type ResourceInfo } from "./resources.js";

const OIDC_SCOPES = ["openid", "profile", "email", "offline_access"];

export function providerConfiguration(options: IdentityOptions, resourceInfo: ResourceInfo): Configuration {
  const { scenario, directory, key } = options;
  return {
    adapter: memoryAdapterFactory(),
    clients: labClients(scenario),
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
          const resources = resourcesOf(scope);
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
