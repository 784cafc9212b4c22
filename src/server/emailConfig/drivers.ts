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

/** What building drivers needs from the app: the repositories, the guarded outbound client, the configuration. */
export type DriverContext = Pick<AppContext, "repos" | "outbound" | "config">;

/** Builds the driver of one organization's configuration (the exchange module's factory with the server's deps). */
export type DriverFactory = (orgId: string, config: ResolvedEmailConfig) => MailboxDriver;

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

/** The organization's EWS OAuth token cache: its row is sealed by the repository with the keyring. */
export function tokenCacheFor(ctx: DriverContext, orgId: string): NonNullable<MailboxDriverDeps["tokenCache"]> {
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

export function driverDepsFor(ctx: DriverContext, orgId: string, requestTimeoutMs: number): MailboxDriverDeps {
  const { repos } = ctx;
  return {
    // The backend's guarded client: the URL guard and the lab's CA apply to every driver request.
    fetch: ctx.outbound.fetch,
    openConnection: (url) => ctx.outbound.openConnection(url),
    identity: identitySettingsFrom(ctx.config.exchange),
    requestTimeoutMs,
    tokenCache: tokenCacheFor(ctx, orgId),
    onNeedsSignIn: async () => {
      const current = await repos.emailConfigs.get(orgId);
      await repos.emailConfigs.saveServiceAccount(orgId, { ...current.serviceAccount, state: "needs_sign_in" });
    },
  };
}

/** `requestTimeoutMs` bounds each request a driver sends (the check runner's setting). */
export function defaultDriverFactory(ctx: DriverContext, requestTimeoutMs: number): DriverFactory {
  return (orgId, config) => createMailboxDriver(config, driverDepsFor(ctx, orgId, requestTimeoutMs));
}
