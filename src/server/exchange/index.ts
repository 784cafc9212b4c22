/**
 * The exchange module's public face for the check runner and the routes: one factory over the three access types,
 * the service-account sign-in (on-behalf-of), the magic wand's discovery and the RBAC for Applications script.
 */
import type { MailboxDriver, MailboxDriverDeps } from "./driver.js";
import type { ResolvedEmailConfig } from "./config.js";
import { createDelegatedTokenSource } from "./auth/delegatedTokens.js";
import { createAppOnlyTokenSource } from "./auth/appOnlyTokens.js";
import { DEFAULT_GRAPH_SCOPE } from "./auth/msalConfig.js";
import type { TokenSource } from "./auth/tokenMemo.js";
import { createEwsDriver } from "./drivers/ewsDriver.js";
import { createGraphDriver } from "./drivers/graphDriver.js";
import { createServiceAccountSignIn } from "./auth/serviceAccountSignIn.js";
import type { EwsCredentials } from "./ews/client.js";
import { DEFAULT_GRAPH_BASE_URL, createGraphClient } from "./graph/client.js";

export type * from "./driver.js";
export type * from "./config.js";
export { signInServiceAccount, type ServiceAccountSession, type ServiceAccountSignIn } from "./auth/delegatedTokens.js";
export { microsoftAuthority, DEFAULT_EWS_DELEGATED_SCOPE, DEFAULT_GRAPH_SCOPE } from "./auth/msalConfig.js";
export { isExchangeOnlineUrl } from "../../contract/exchangeOnline.js";

export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

function oauthCredentials(token: TokenSource): EwsCredentials {
  return {
    kind: "oauth",
    async authorize(forceRefresh, signal) {
      const acquired = await token(forceRefresh, signal);
      return acquired.ok
        ? { ok: true, header: `Bearer ${acquired.accessToken}` }
        : { ok: false, classified: acquired.classified };
    },
  };
}

/**
 * Builds the driver for the configuration's access type. Throws only for a programming error: an
 * ews_oauth_impersonation configuration without deps.tokenCache.
 */
export function createMailboxDriver(config: ResolvedEmailConfig, deps: MailboxDriverDeps): MailboxDriver {
  const timeoutMs = deps.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  switch (config.accessType) {
    case "ews_basic_impersonation":
      return createEwsDriver({
        ewsUrl: config.ewsUrl,
        serverVersion: config.serverVersion ?? "Exchange2016",
        serviceAccount: config.accountLogon.includes("@") ? config.accountLogon : null,
        credentials: {
          kind: "serviceAccount",
          signIn: createServiceAccountSignIn({
            authentication: config.authentication ?? "automatic",
            accountLogon: config.accountLogon,
            password: config.password,
            fetch: deps.fetch,
            ...(deps.openConnection === undefined ? {} : { openConnection: deps.openConnection }),
          }),
        },
        fetch: deps.fetch,
        timeoutMs,
      });
    case "ews_oauth_impersonation": {
      if (deps.tokenCache === undefined)
        throw new Error("ews_oauth_impersonation needs deps.tokenCache (store and cipher)");
      const token = createDelegatedTokenSource(
        {
          identity: deps.identity,
          fetch: deps.fetch,
          store: deps.tokenCache.store,
          cipher: deps.tokenCache.cipher,
          tenantId: config.tenantId,
          timeoutMs,
          ...(deps.onNeedsSignIn === undefined ? {} : { onNeedsSignIn: deps.onNeedsSignIn }),
        },
        config.serviceAccount,
      );
      return createEwsDriver({
        ewsUrl: config.ewsUrl,
        serverVersion: config.serverVersion ?? "Exchange2016",
        serviceAccount: config.serviceAccount.username,
        credentials: oauthCredentials(token),
        appId: deps.identity.backendClient?.clientId ?? null,
        fetch: deps.fetch,
        timeoutMs,
      });
    }
    case "graph_app_only": {
      const token = createAppOnlyTokenSource(
        config,
        deps.identity,
        deps.fetch,
        deps.identity.graphScope ?? DEFAULT_GRAPH_SCOPE,
        timeoutMs,
      );
      const client = createGraphClient({
        fetch: deps.fetch,
        baseUrl: deps.identity.graphBaseUrl ?? DEFAULT_GRAPH_BASE_URL,
        token: async (forceRefresh, signal) => {
          const acquired = await token(forceRefresh, signal);
          return acquired.ok ? { ok: true, accessToken: acquired.accessToken } : acquired;
        },
        timeoutMs,
      });
      return createGraphDriver({ client, token });
    }
  }
}
