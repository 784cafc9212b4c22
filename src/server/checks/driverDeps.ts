/**
 * The server's MailboxDriverDeps: the guarded outbound client, the identity provider settings (Microsoft Entra ID
 * by default, the lab's provider in development) and, for the EWS OAuth access type, the organization's encrypted
 * token cache row. Environment:
 *  EXCHANGE_AUTHORITY     authority template with {tenantid} (default https://login.microsoftonline.com/{tenantid})
 *  EXCHANGE_KNOWN_AUTHORITIES, EXCHANGE_PROTOCOL_MODE (aad | oidc; default aad for login.microsoftonline.com)
 *  BACKEND_CLIENT_ID, BACKEND_CLIENT_SECRET   the backend's confidential client (on-behalf-of sign-in)
 *  GRAPH_BASE_URL (default https://graph.microsoft.com), EXCHANGE_EWS_SCOPE, GRAPH_SCOPE
 */
import type { AppContext } from "../context.js";
import { createMailboxDriver } from "../exchange/index.js";
import type { IdentitySettings, MailboxDriverDeps } from "../exchange/config.js";
import type { DriverFactory } from "./service.js";
import type { CheckSettings } from "./settings.js";

export function identitySettingsFromEnv(env: Record<string, string | undefined> = process.env): IdentitySettings {
  const template = env.EXCHANGE_AUTHORITY ?? "https://login.microsoftonline.com/{tenantid}";
  const protocolMode =
    env.EXCHANGE_PROTOCOL_MODE === "oidc" || env.EXCHANGE_PROTOCOL_MODE === "aad"
      ? env.EXCHANGE_PROTOCOL_MODE
      : template.includes("login.microsoftonline.com")
        ? "aad"
        : "oidc";
  const clientId = env.BACKEND_CLIENT_ID ?? "";
  const clientSecret = env.BACKEND_CLIENT_SECRET ?? "";
  return {
    authorityFor: (tenantId) => template.replace(/\{tenantid\}/gi, encodeURIComponent(tenantId ?? "organizations")),
    knownAuthorities: (env.EXCHANGE_KNOWN_AUTHORITIES ?? "")
      .split(",")
      .map((entry) => entry.trim())
      .filter((entry) => entry !== ""),
    protocolMode,
    backendClient: clientId !== "" && clientSecret !== "" ? { clientId, clientSecret } : null,
    ...(env.GRAPH_BASE_URL ? { graphBaseUrl: env.GRAPH_BASE_URL } : {}),
    ...(env.EXCHANGE_EWS_SCOPE ? { ewsScope: env.EXCHANGE_EWS_SCOPE } : {}),
    ...(env.GRAPH_SCOPE ? { graphScope: env.GRAPH_SCOPE } : {}),
  };
}

/** The organization's EWS OAuth token cache: its row is sealed by the repository with the keyring. */
export function tokenCacheFor(ctx: AppContext, orgId: string): NonNullable<MailboxDriverDeps["tokenCache"]> {
  const { repos } = ctx;
  return {
    store: {
      load: async () => (await repos.emailConfigs.credentials(orgId)).tokenCache,
      save: async (cache) => {
        const current = await repos.emailConfigs.get(orgId);
        await repos.emailConfigs.saveServiceAccount(orgId, { ...current.serviceAccount, tokenCache: cache });
      },
    },
    // A second layer of encryption would add nothing to the repository's.
    cipher: { seal: (plaintext) => plaintext, open: (sealed) => sealed },
  };
}

export function driverDepsFor(ctx: AppContext, orgId: string, settings: CheckSettings): MailboxDriverDeps {
  const { repos } = ctx;
  return {
    // The backend's guarded client: the URL guard and the lab's CA apply to every driver request.
    fetch: ctx.outbound.fetch,
    identity: identitySettingsFromEnv(),
    requestTimeoutMs: settings.runner.requestTimeoutMs,
    tokenCache: tokenCacheFor(ctx, orgId),
    onNeedsSignIn: async () => {
      const current = await repos.emailConfigs.get(orgId);
      await repos.emailConfigs.saveServiceAccount(orgId, { ...current.serviceAccount, state: "needs_sign_in" });
    },
  };
}

export function defaultDriverFactory(ctx: AppContext, settings: CheckSettings): DriverFactory {
  return (orgId, config) => createMailboxDriver(config, driverDepsFor(ctx, orgId, settings));
}
