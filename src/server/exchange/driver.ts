/**
 * One interface over the three access types: the check runner drives any of them the same way.
 * Drivers never throw for a user's outcome: every answer (including network failures and unparseable responses)
 * becomes a classified CheckOutcome. They throw only for programming errors.
 */
import type { CategoryId } from "../../contract/categories.js";
import type { CheckCapabilitiesDto, CheckPermissionDto } from "../../contract/checks.js";
import type { MailboxPlace } from "../../contract/exchangeOnline.js";
import type { ConnectionOpener, ExchangeFetch } from "./transport.js";

export type CheckDepth = "read" | "full";

export interface CheckTarget {
  email: string;
}

/** One named step (GetFolder, CreateItem, DeleteItem, token, TLS, ...) and how it ended, for the admin to read. */
export interface StepOutcome {
  step: string;
  ok: boolean;
  category: CategoryId;
  detail?: string;
  durationMs: number;
}

/**
 * Where the answer says the user's mailbox lives, and the answer that says so, in the admin's words: the engine
 * places a user on Automatic in the profile that reaches that place. Set only when Exchange itself pointed there
 * (on-premises Autodiscover redirecting to the cloud routing address; Graph's MailboxNotEnabledForRESTAPI for a user
 * synced from on-premises), never for a move in progress.
 */
export interface MailboxPlacement {
  where: MailboxPlace;
  evidence: string;
}

export interface CheckOutcome {
  category: CategoryId;
  /** Human detail from the server (response message text, HTTP status line); never secrets. */
  detail?: string;
  /** ErrorNonPrimarySmtpAddress carries the primary address to use instead. */
  primarySmtpAddress?: string;
  /** ErrorServerBusy BackOffMilliseconds, or Retry-After converted to ms: the runner's shared back-off honours it. */
  backOffMs?: number;
  httpStatus?: number;
  /** Per-capability outcomes, for drivers that probe mail and calendar apart (Graph app-only). */
  capabilities?: CheckCapabilitiesDto;
  /** The place the mailbox lives when it is not where this driver looked (mailbox_in_cloud, mailbox_on_premises). */
  placement?: MailboxPlacement;
  steps: StepOutcome[];
}

export interface PreflightReport {
  /** False when per-user work must not start (URL unreachable, TLS invalid, authentication refused). */
  canProceed: boolean;
  steps: StepOutcome[];
  /** Consequences the admin should know that do not block the run (no mailbox or license: rooms unreadable). */
  warnings: Array<{ category: CategoryId; message: string }>;
  /** Graph app-only: the permissions the depth needs, each present or missing. */
  permissions?: CheckPermissionDto[];
}

export interface RoomsOutcome {
  ok: boolean;
  category: CategoryId;
  rooms: Array<{ name: string; email: string; roomList: string | null }>;
  detail?: string;
}

/** One mailbox of the directory, with the other addresses it answers to (its proxy addresses, aliases). */
export interface DirectoryMailbox {
  address: string;
  displayName: string | null;
  otherAddresses: string[];
}

export type DirectoryListing =
  | { ok: true; mailboxes: DirectoryMailbox[]; truncated: boolean }
  | { ok: false; category: CategoryId; detail?: string };

export interface MailboxDriver {
  /** `depth` decides which permissions a driver that reads them reports as needed (default read). */
  preflight(signal: AbortSignal, depth?: CheckDepth): Promise<PreflightReport>;
  checkUser(target: CheckTarget, depth: CheckDepth, signal: AbortSignal): Promise<CheckOutcome>;
  listRooms(signal: AbortSignal): Promise<RoomsOutcome>;
  /**
   * The directory's mailboxes (at most about `limit`, the rest marked truncated): Graph `/users`, or EWS
   * ResolveNames of the "SMTP:" prefix (Exchange answers at most 100). Used to suggest canaries.
   */
  listDirectory(signal: AbortSignal, limit: number): Promise<DirectoryListing>;
}

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

export interface MailboxDriverDeps {
  fetch: ExchangeFetch;
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
