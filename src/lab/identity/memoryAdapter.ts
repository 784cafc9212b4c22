/**
 * oidc-provider storage for the lab: in memory, per lab instance (oidc-provider's own development adapter is shared
 * by every provider in the process and warns on each start). Expired entries are dropped when read or swept.
 */
import type { Adapter, AdapterFactory, AdapterPayload } from "oidc-provider";

interface Entry {
  payload: AdapterPayload;
  expiresAt: number;
}

const SWEEP_EVERY = 5_000;
/**
 * The models revoked with their grant (as in oidc-provider's own adapter). Interactions and sessions also carry a
 * grantId, but must survive a revocation: switching accounts revokes the old session's grant mid-interaction.
 */
const GRANTABLE = new Set([
  "AccessToken",
  "AuthorizationCode",
  "RefreshToken",
  "DeviceCode",
  "BackchannelAuthenticationRequest",
]);

export function memoryAdapterFactory(): AdapterFactory {
  const entries = new Map<string, Entry>();
  const byGrant = new Map<string, Set<string>>();
  let writes = 0;

  const sweep = (now: number): void => {
    for (const [key, entry] of entries) if (entry.expiresAt <= now) entries.delete(key);
  };
  const live = (key: string): AdapterPayload | undefined => {
    const entry = entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= Date.now()) {
      entries.delete(key);
      return undefined;
    }
    return entry.payload;
  };

  return (model: string): Adapter => {
    const key = (id: string): string => `${model}:${id}`;
    const findBy = (field: "uid" | "userCode", value: string): AdapterPayload | undefined => {
      for (const [k, entry] of entries) {
        if (k.startsWith(`${model}:`) && entry.payload[field] === value) return live(k);
      }
      return undefined;
    };
    return {
      upsert: (id, payload, expiresIn) => {
        const now = Date.now();
        if (++writes % SWEEP_EVERY === 0) sweep(now);
        entries.set(key(id), { payload, expiresAt: expiresIn ? now + expiresIn * 1000 : Number.POSITIVE_INFINITY });
        if (payload.grantId && GRANTABLE.has(model)) {
          const ids = byGrant.get(payload.grantId) ?? new Set<string>();
          ids.add(key(id));
          byGrant.set(payload.grantId, ids);
        }
        return Promise.resolve();
      },
      find: (id) => Promise.resolve(live(key(id))),
      findByUid: (uid) => Promise.resolve(findBy("uid", uid)),
      findByUserCode: (userCode) => Promise.resolve(findBy("userCode", userCode)),
      consume: (id) => {
        const payload = live(key(id));
        if (payload) payload.consumed = Math.floor(Date.now() / 1000);
        return Promise.resolve();
      },
      destroy: (id) => {
        entries.delete(key(id));
        return Promise.resolve();
      },
      revokeByGrantId: (grantId) => {
        for (const k of byGrant.get(grantId) ?? []) entries.delete(k);
        byGrant.delete(grantId);
        return Promise.resolve();
      },
    };
  };
}
