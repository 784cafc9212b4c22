/**
 * The server's MailboxDriverDeps: the guarded outbound client, the identity provider settings (ServerConfig.exchange:
 * Microsoft Entra ID by default, the lab's provider in development) and, for the EWS OAuth access type, the
 * organization's encrypted token cache row.
 */
import type { ExchangeConfig } from "../config.js";
import type { AppContext } from "../context.js";
import { createMailboxDriver } from "../exchange/index.js";
import type { ResolvedEmailConfig } from "../exchange/config.js";
import type { IdentitySettings, MailboxDriverDeps } from "../exchange/driver.js";
import type { MailboxDriver } from "../exchange/driver.js";
import type { ServiceAccountSignIn } from "./repository.js";

/** What building drivers needs from the app: the repositories, the guarded outbound client, the configuration. */
export type DriverContext = Pick<AppContext, "repos" | "outbound" | "config">;

/**
 * Builds the driver of one organization's configuration (the exchange module's factory with the server's deps);
 * `profileId` names the connection profile whose token cache it keeps (absent: the default profile's).
 */
export type DriverFactory = (orgId: string, config: ResolvedEmailConfig, profileId?: string) => MailboxDriver;

export function identitySettingsFrom(exchange: ExchangeConfig): IdentitySettings {
  return {
    authorityFor: (tenantId) =>
      exchange.authority.replace(/\{tenantid\}/gi, encodeURIComponent(tenantId ?? "organizations")),
    knownAuthorities: exchange.knownAuthorities,
    protocolMode: exchange.protocolMode,
    backendClient: exchange.backendClient,
    ...(exchange.graphBaseUrl === null ? {} : { graphBaseUrl: exchange.graphBaseUrl }),
    ...(exchange.ewsScope === null ? {} : { ewsScope: exchange.ewsScope }),
    ...(exchange.graphScope === null ? {} : { graphScope: exchange.graphScope }),
  };
}

/**
 * A profile's EWS OAuth token cache (absent: the default profile's): its row is sealed by the repository with the
 * keyring.
 */
export function tokenCacheFor(
  ctx: DriverContext,
  orgId: string,
  profileId?: string,
): NonNullable<MailboxDriverDeps["tokenCache"]> {
  const configs = profileConfigs(ctx, orgId, profileId);
  return {
    store: {
      load: async () => (await configs.credentials()).tokenCache,
      save: async (cache) => {
        const current = await configs.get();
        if (current) await configs.saveServiceAccount({ ...current.serviceAccount, tokenCache: cache });
      },
    },
    // A second layer of encryption would add nothing to the repository's.
    cipher: { seal: (plaintext) => plaintext, open: (sealed) => sealed },
  };
}

/** One profile's row of email_configs, as the driver deps read and write it (absent: the default profile). */
function profileConfigs(ctx: DriverContext, orgId: string, profileId: string | undefined) {
  const { emailConfigs } = ctx.repos;
  return profileId === undefined
    ? {
        get: () => emailConfigs.get(orgId),
        credentials: () => emailConfigs.credentials(orgId),
        saveServiceAccount: (signIn: ServiceAccountSignIn) => emailConfigs.saveServiceAccount(orgId, signIn),
      }
    : {
        get: () => emailConfigs.profile(orgId, profileId),
        credentials: () => emailConfigs.profileCredentials(orgId, profileId),
        saveServiceAccount: (signIn: ServiceAccountSignIn) =>
          emailConfigs.saveProfileServiceAccount(orgId, profileId, signIn),
      };
}

export function driverDepsFor(
  ctx: DriverContext,
  orgId: string,
  requestTimeoutMs: number,
  profileId?: string,
): MailboxDriverDeps {
  const configs = profileConfigs(ctx, orgId, profileId);
  return {
    // The backend's guarded client: the URL guard and the lab's CA apply to every driver request.
    fetch: ctx.outbound.fetch,
    openConnection: (url) => ctx.outbound.openConnection(url),
    identity: identitySettingsFrom(ctx.config.exchange),
    requestTimeoutMs,
    tokenCache: tokenCacheFor(ctx, orgId, profileId),
    onNeedsSignIn: async () => {
      const current = await configs.get();
      if (current) await configs.saveServiceAccount({ ...current.serviceAccount, state: "needs_sign_in" });
    },
  };
}

/** `requestTimeoutMs` bounds each request a driver sends (the check runner's setting). */
export function defaultDriverFactory(ctx: DriverContext, requestTimeoutMs: number): DriverFactory {
  return (orgId, config, profileId) =>
    createMailboxDriver(config, driverDepsFor(ctx, orgId, requestTimeoutMs, profileId));
}
