/**
 * The EWS OAuth access type's tokens: the pane signs the service account in and sends its token; the backend
 * exchanges it on-behalf-of for a delegated EWS token (msal-node), keeps msal's cache encrypted in the database and
 * refreshes silently. When refresh is refused (90 days idle, password change, Conditional Access, revocation), the
 * outcome is token_expired and onNeedsSignIn tells the backend to mark the configuration "needs sign-in".
 */
import { ConfidentialClientApplication, type AccountInfo } from "@azure/msal-node";
import type { IdentitySettings, SecretCipher, TokenCacheStore } from "../driver.js";
import type { ExchangeFetch } from "../transport.js";
import type { Classified } from "../transport.js";
import { classifyMsalError } from "./msalErrors.js";
import { DEFAULT_EWS_DELEGATED_SCOPE, msalConfiguration } from "./msalConfig.js";
import { msalNetworkModule } from "./msalNetwork.js";
import { encryptedCachePlugin, refreshTokensIn } from "./tokenCache.js";
import type { AcquiredToken, TokenSource } from "./tokenMemo.js";
import { memoizedTokenSource } from "./tokenMemo.js";

export interface DelegatedTokenOptions {
  identity: IdentitySettings;
  fetch: ExchangeFetch;
  store: TokenCacheStore;
  cipher: SecretCipher;
  tenantId: string | null;
  timeoutMs: number;
  onNeedsSignIn?: (reason: string) => void | Promise<void>;
}

export interface ServiceAccountSession {
  username: string | null;
  homeAccountId: string | null;
  expiresAt: Date | null;
}

export type ServiceAccountSignIn = { ok: true; session: ServiceAccountSession } | { ok: false; classified: Classified };

function createClient(options: DelegatedTokenOptions) {
  const backend = options.identity.backendClient;
  if (backend === null) return null;
  const network = msalNetworkModule(options.fetch, options.timeoutMs);
  const client = new ConfidentialClientApplication(
    msalConfiguration(
      options.identity,
      options.tenantId,
      { clientId: backend.clientId, clientSecret: backend.clientSecret },
      network,
      { cachePlugin: encryptedCachePlugin(options.store, options.cipher) },
    ),
  );
  return { client, network };
}

const NO_BACKEND_CLIENT: Classified = {
  category: "auth_failed",
  detail: "the backend has no confidential client configured for the on-behalf-of exchange",
};

/**
 * POST /api/orgs/{orgId}/email-config/service-account: exchanges the pane's token (audience: the backend's API)
 * for a delegated EWS token of the same user. The route must have verified the assertion first; its verified
 * username names the account when the identity provider's answer carries no id token.
 */
export async function signInServiceAccount(
  assertion: string,
  options: DelegatedTokenOptions,
  verifiedUsername: string | null = null,
): Promise<ServiceAccountSignIn> {
  const created = createClient(options);
  if (created === null) return { ok: false, classified: NO_BACKEND_CLIENT };
  const scope = options.identity.ewsScope ?? DEFAULT_EWS_DELEGATED_SCOPE;
  try {
    const result = await created.client.acquireTokenOnBehalfOf({
      oboAssertion: assertion,
      scopes: [scope],
      skipCache: true,
    });
    if (result === null || result.accessToken === "") {
      return { ok: false, classified: { category: "auth_failed", detail: "the identity provider issued no token" } };
    }
    return {
      ok: true,
      session: {
        username: result.account?.username || verifiedUsername,
        homeAccountId: result.account?.homeAccountId ?? null,
        expiresAt: result.expiresOn,
      },
    };
  } catch (error) {
    return {
      ok: false,
      classified: classifyMsalError(error, created.network.lastFailure(), "app", created.network.lastRefusal()),
    };
  }
}

/** Silent tokens for the EWS driver: msal's cache, then its refresh token; a refusal asks for a new sign-in once. */
export function createDelegatedTokenSource(
  options: DelegatedTokenOptions,
  account: { username: string | null; homeAccountId: string | null },
): TokenSource {
  const created = createClient(options);
  const scope = options.identity.ewsScope ?? DEFAULT_EWS_DELEGATED_SCOPE;
  let signInRequested = false;

  const needsSignIn = async (classified: Classified): Promise<AcquiredToken> => {
    if (classified.category === "token_expired" && !signInRequested) {
      signInRequested = true;
      await options.onNeedsSignIn?.(classified.detail ?? "the service account's sign-in could not be refreshed");
    }
    return { ok: false, classified };
  };

  async function findAccount(client: ConfidentialClientApplication): Promise<AccountInfo | null> {
    const accounts = await client.getTokenCache().getAllAccounts();
    return (
      accounts.find((entry) => account.homeAccountId !== null && entry.homeAccountId === account.homeAccountId) ??
      accounts.find(
        (entry) => account.username !== null && entry.username.toLowerCase() === account.username.toLowerCase(),
      ) ??
      (accounts.length === 1 ? (accounts[0] ?? null) : null)
    );
  }

  return memoizedTokenSource(async (forceRefresh) => {
    if (created === null) return { ok: false, classified: NO_BACKEND_CLIENT };
    const { client, network } = created;
    let failure: Classified = { category: "token_expired", detail: "no signed-in service account in the token cache" };
    try {
      const cachedAccount = await findAccount(client);
      if (cachedAccount !== null) {
        const result = await client.acquireTokenSilent({ account: cachedAccount, scopes: [scope], forceRefresh });
        if (result.accessToken !== "")
          return { ok: true, accessToken: result.accessToken, expiresOn: result.expiresOn };
      }
    } catch (error) {
      failure = classifyMsalError(error, network.lastFailure(), "delegated");
      if (failure.category !== "token_expired") return { ok: false, classified: failure };
    }
    // Tokens obtained on-behalf-of are not always found by acquireTokenSilent; redeem the cached refresh token.
    const refreshTokens = refreshTokensIn(client.getTokenCache().serialize(), account.homeAccountId);
    for (const refreshToken of refreshTokens.slice(0, 1)) {
      try {
        const result = await client.acquireTokenByRefreshToken({ refreshToken, scopes: [scope], forceCache: true });
        if (result !== null && result.accessToken !== "") {
          return { ok: true, accessToken: result.accessToken, expiresOn: result.expiresOn };
        }
      } catch (error) {
        failure = classifyMsalError(error, network.lastFailure(), "delegated");
        if (failure.category !== "token_expired") return { ok: false, classified: failure };
      }
    }
    return needsSignIn(failure);
  });
}
