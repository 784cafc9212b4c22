/**
 * msal-node's token cache for the EWS OAuth service account, sealed with the backend's cipher before it reaches the
 * injected store (one database row per organization, owned by the backend). Refresh tokens never rest in clear text.
 */
import type { ICachePlugin, TokenCacheContext } from "@azure/msal-node";
import type { SecretCipher, TokenCacheStore } from "../driver.js";

export function encryptedCachePlugin(store: TokenCacheStore, cipher: SecretCipher): ICachePlugin {
  return {
    async beforeCacheAccess(context: TokenCacheContext): Promise<void> {
      const sealed = await store.load();
      if (sealed === null || sealed === "") return;
      context.tokenCache.deserialize(await cipher.open(sealed));
    },
    async afterCacheAccess(context: TokenCacheContext): Promise<void> {
      if (!context.cacheHasChanged) return;
      await store.save(await cipher.seal(context.tokenCache.serialize()));
    },
  };
}

/** The refresh tokens in a serialized msal cache, newest home account first when one is named. */
export function refreshTokensIn(serializedCache: string, homeAccountId: string | null): string[] {
  try {
    const cache = JSON.parse(serializedCache) as {
      RefreshToken?: Record<string, { secret?: unknown; home_account_id?: unknown }>;
    };
    const entries = Object.values(cache.RefreshToken ?? {});
    const preferred = entries.filter((entry) => homeAccountId !== null && entry.home_account_id === homeAccountId);
    return [...preferred, ...entries.filter((entry) => !preferred.includes(entry))]
      .map((entry) => entry.secret)
      .filter((secret): secret is string => typeof secret === "string" && secret !== "");
  } catch {
    return [];
  }
}
