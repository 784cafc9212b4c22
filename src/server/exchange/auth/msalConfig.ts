/** The msal-node settings every confidential client of the product shares: authority, protocol, network, logging. */
import type { Configuration, NodeAuthOptions } from "@azure/msal-node";
import { LogLevel, ProtocolMode } from "@azure/msal-node";
import type { IdentitySettings } from "../driver.js";
import type { ObservedNetworkModule } from "./msalNetwork.js";

export const DEFAULT_EWS_DELEGATED_SCOPE = "https://outlook.office365.com/EWS.AccessAsUser.All";
export const DEFAULT_GRAPH_SCOPE = "https://graph.microsoft.com/.default";

/** Production authority of a tenant; the lab supplies its own issuer through IdentitySettings.authorityFor. */
export function microsoftAuthority(tenantId: string | null): string {
  return `https://login.microsoftonline.com/${encodeURIComponent(tenantId ?? "organizations")}`;
}

export function msalConfiguration(
  identity: IdentitySettings,
  tenantId: string | null,
  auth: Omit<NodeAuthOptions, "authority" | "knownAuthorities">,
  network: ObservedNetworkModule,
  cache?: Configuration["cache"],
): Configuration {
  const configuration: Configuration = {
    auth: {
      ...auth,
      authority: identity.authorityFor(tenantId),
      knownAuthorities: identity.knownAuthorities,
    },
    system: {
      networkClient: network,
      protocolMode: identity.protocolMode === "oidc" ? ProtocolMode.OIDC : ProtocolMode.AAD,
      // Tokens and personal data never reach the logs; only errors, without PII.
      loggerOptions: { logLevel: LogLevel.Error, piiLoggingEnabled: false, loggerCallback: () => undefined },
    },
  };
  if (cache !== undefined) configuration.cache = cache;
  return configuration;
}
