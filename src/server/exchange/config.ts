/**
 * What a mailbox driver needs: the organization's decrypted email configuration (ResolvedEmailConfig, built by the
 * backend from the stored row or from an unsaved draft) and the backend's services (MailboxDriverDeps).
 */
import type { AccessTypeId, EwsAuthentication } from "../../contract/accessTypes.js";

/** t:RequestServerVersion values the product may send; Exchange2016 covers 2016, 2019 and Subscription Edition. */
export type EwsServerVersion = "Exchange2013" | "Exchange2013_SP1" | "Exchange2016";

interface EwsConfigBase {
  /** Absolute https URL of Exchange Web Services, e.g. https://mail.contoso.com/EWS/Exchange.asmx. */
  ewsUrl: string;
  /** Defaults to Exchange2016. */
  serverVersion?: EwsServerVersion;
}

export interface EwsBasicConfig extends EwsConfigBase {
  accessType: "ews_basic_impersonation";
  /** The impersonating service account's logon: DOMAIN\user, a UPN or the address. */
  accountLogon: string;
  password: string;
  /** How it signs in to EWS and Autodiscover POX; defaults to automatic (NTLM when offered, else Basic). */
  authentication?: EwsAuthentication;
}

export interface EwsOAuthConfig extends EwsConfigBase {
  accessType: "ews_oauth_impersonation";
  /** Entra tenant of the service account, or null when unknown (the authority then uses "organizations"). */
  tenantId: string | null;
  /** The signed-in service account (from the token cache); null before the first sign-in. */
  serviceAccount: { username: string | null; homeAccountId: string | null };
}

export type AppOnlyCredential =
  { type: "secret"; clientSecret: string } | { type: "certificate"; certificatePem: string; privateKeyPem: string };

export interface GraphAppOnlyConfig {
  accessType: "graph_app_only";
  tenantId: string;
  clientId: string;
  credential: AppOnlyCredential;
}

export type ResolvedEmailConfig = EwsBasicConfig | EwsOAuthConfig | GraphAppOnlyConfig;

/** The parts of a fetch request the exchange module sends. */
export interface OutboundRequestInit {
  method: "GET" | "POST" | "DELETE";
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
  redirect?: "manual" | "follow" | "error";
}

/** The parts of a fetch response the exchange module reads; both the global fetch and undici's satisfy it. */
export interface OutboundResponse {
  status: number;
  headers: { get(name: string): string | null; forEach(callback: (value: string, name: string) => void): void };
  /** A web ReadableStream of bytes (global or undici's: both are async-iterable in Node). */
  body: object | null;
}

/**
 * A fetch-compatible function: in the backend, the outbound HTTP client (src/server/net) with the URL guard and
 * the lab's CA; its OutboundBlockedError becomes the url_refused category.
 */
export type OutboundFetch = (url: string, init: OutboundRequestInit) => Promise<OutboundResponse>;

/**
 * Where the encrypted MSAL token cache of the EWS OAuth service account lives. The backend owns the database row;
 * the blob handed over is already encrypted (see tokenCache.ts), so the store only persists opaque text.
 */
export interface TokenCacheStore {
  load(): Promise<string | null>;
  save(encryptedCache: string): Promise<void>;
}

/** Seals and opens the token cache at rest (the backend's secret box, AES-GCM with its rotating key). */
export interface SecretCipher {
  seal(plaintext: string): string | Promise<string>;
  open(sealed: string): string | Promise<string>;
}

/** How msal-node reaches the identity provider: Microsoft Entra ID in production, the lab's OIDC provider in dev. */
export interface IdentitySettings {
  /** Authority of a tenant: https://login.microsoftonline.com/{tenantId} in production; the lab's issuer in dev. */
  authorityFor(tenantId: string | null): string;
  /** Hosts msal-node may trust without instance discovery (the lab's host:port). */
  knownAuthorities: string[];
  protocolMode: "aad" | "oidc";
  /** The backend's own confidential client, which exchanges the pane's token on-behalf-of the service account. */
  backendClient: { clientId: string; clientSecret: string } | null;
  /** Delegated EWS scope; defaults to https://outlook.office365.com/EWS.AccessAsUser.All. */
  ewsScope?: string;
  /** Graph root; defaults to https://graph.microsoft.com (the lab serves its own). */
  graphBaseUrl?: string;
  /** Graph app-only scope; defaults to https://graph.microsoft.com/.default. */
  graphScope?: string;
}

/** One TCP connection of its own, for sign-ins bound to the connection (NTLM); see src/server/net/outbound.ts. */
export interface PinnedConnection {
  fetch: OutboundFetch;
  /** How many sockets it has opened: a change means the authenticated one was replaced. */
  generation(): number;
  close(): Promise<void>;
}

export type ConnectionOpener = (url: string) => PinnedConnection;

export interface MailboxDriverDeps {
  fetch: OutboundFetch;
  /** Dedicated connections for Windows authentication (NTLM); without it only Basic can be used. */
  openConnection?: ConnectionOpener;
  identity: IdentitySettings;
  /** Required for ews_oauth_impersonation. */
  tokenCache?: { store: TokenCacheStore; cipher: SecretCipher };
  /** Called once when the service account's refresh fails: the backend marks the configuration needs_sign_in. */
  onNeedsSignIn?: (reason: string) => void | Promise<void>;
  /** Per HTTP request; defaults to 30 s. The runner's signal still aborts earlier. */
  requestTimeoutMs?: number;
}

export type { AccessTypeId, EwsAuthentication };
