/**
 * Wire types of the companion backend's API, shared by the pane and the server. Types only: nothing here runs,
 * so importing it costs the pane's bundle nothing. The server's request schemas must accept exactly these shapes.
 */
import type { AccessTypeId, EwsAuthentication } from "./accessTypes.js";
import type { MailboxPlace } from "./exchangeOnline.js";
import type { MailboxMonitoringDto } from "./monitoring.js";
import type { UserProfileDto } from "./profiles.js";

export type Role = "admin" | "user";

export interface Page<T> {
  items: T[];
  /** Opaque cursor for the next page, null on the last page. */
  nextCursor: string | null;
}

/** RFC 9457 problem details; `errors` names each field and the rule it broke. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  errors?: Array<{ field: string; message: string }>;
}

export interface HealthDto {
  status: "ok" | "degraded";
  database: "ok" | "unreachable";
  /**
   * Which backend process answered (PROCESS_NAME, else hostname:pid): several may serve one database. Only with
   * HEALTH_DETAILS (on outside production): the route needs no token.
   */
  process?: string;
  /** This process's check worker: whether it takes work, how many runs it drives, and how its budget is kept. */
  worker?: { active: boolean; runs: number; budget: "in-process" | "postgres" };
}

export interface OrgMembershipDto {
  id: string;
  name: string;
  role: Role;
}

export interface MeDto {
  subject: string;
  email: string;
  name: string;
  orgs: OrgMembershipDto[];
}

export interface OrgDto {
  id: string;
  name: string;
  /** Microsoft Entra tenant id (GUID) or null for on-premises-only organizations. */
  tenantId: string | null;
  /** The caller's role in this organization. */
  role: Role;
  userCount: number;
  createdAt: string;
}

export interface OrgUserDto {
  id: string;
  email: string;
  displayName: string;
  role: Role;
  addedBy: string;
  addedAt: string;
  /** The user's latest check result (any run, the schedule's included); null when never checked. */
  lastCheck: { category: string; severity: "ok" | "warning" | "error" | "transient"; checkedAt: string } | null;
  /** The connection profile that checks this user, and how it was chosen (contract/profiles.ts). */
  profile: UserProfileDto;
}

/** The Users list's status filter: never checked, or the latest result's severity. */
export type UserCheckStatus = "never_checked" | "ok" | "warning" | "error" | "transient";

export interface NewOrgUserInput {
  email: string;
  displayName?: string;
  role?: Role;
  /** Pins the user to this connection profile; omitted: the rules, Automatic or the default decide. */
  profileId?: string;
}

/** One row of a JSON import; `profile` names a connection profile (case aside), blank: none. */
export interface ImportUserRow {
  email: string;
  displayName?: string;
  role?: string;
  profile?: string;
}

export interface UserImportInput {
  /** CSV text with a header row (email, displayName, role, profile) or JSON rows; at most 50,000 rows. */
  import: { format: "csv"; csv: string } | { format: "json"; rows: ImportUserRow[] };
  dryRun?: boolean;
}

export interface ImportRowVerdict {
  /** CSV: the row's line as a spreadsheet shows it (the header is line 1). JSON rows: the row's 1-based position. */
  row: number;
  email: string;
  verdict: "ok" | "rejected";
  /** Why the row was rejected, as a sentence. */
  reason?: string;
  /** CSV, rejected rows: the line as it was typed, to fix and import again. */
  source?: string;
}

export interface UserImportResultDto {
  dryRun: boolean;
  total: number;
  accepted: number;
  rejected: number;
  /** Every row on a dry run; only the rejected rows on a commit. */
  rows: ImportRowVerdict[];
  /** CSV: every input line accounted for: total = header + blank + one per row verdict. */
  lines?: { total: number; header: number; blank: number };
}

export interface UpdateOrgUserInput {
  displayName?: string;
  role?: Role;
  /** Pins the user to this connection profile; null unpins (the rules, Automatic or the default decide). */
  profileId?: string | null;
}

export type ServiceAccountState = "signed_in" | "needs_sign_in" | "not_signed_in";

export interface EmailConfigDto {
  orgId: string;
  accessType: AccessTypeId | null;
  ewsUrl: string | null;
  accountLogon: string | null;
  /** Whether a password is stored; the password itself never leaves the server. */
  hasPassword: boolean;
  /** Microsoft Exchange Impersonation: how the service account signs in (automatic when never chosen). */
  authentication: EwsAuthentication;
  /** For the EWS OAuth access type: the service account signed in through the popup. */
  serviceAccount: {
    username: string | null;
    state: ServiceAccountState;
    tokenExpiresAt: string | null;
  };
  appOnly: {
    tenantId: string | null;
    clientId: string | null;
    credentialType: "secret" | "certificate" | null;
    hasClientSecret: boolean;
    certificateThumbprint: string | null;
    /** The client secret's expiry date (YYYY-MM-DD) as entered with it; null when not given. */
    clientSecretExpiresAt: string | null;
  };
  /** Optimistic concurrency: send it back in If-Match on PUT. 0 when nothing was saved yet. */
  version: number;
  updatedBy: string | null;
  updatedAt: string | null;
}

export interface EmailConfigInput {
  accessType: AccessTypeId;
  ewsUrl?: string | null;
  accountLogon?: string | null;
  /** Omitted or blank keeps the stored password. */
  password?: string;
  /** Microsoft Exchange Impersonation only; omitted means automatic. */
  authentication?: EwsAuthentication;
  appOnly?: {
    tenantId: string;
    clientId: string;
    /** Omitted or blank keeps the stored secret. */
    clientSecret?: string;
    /**
     * When the client secret expires (YYYY-MM-DD, as Entra ID shows it), for monitoring's expiry alert. Omitted keeps
     * the stored date while the secret is kept; a new secret without it has none; null clears it.
     */
    clientSecretExpiresAt?: string | null;
    /** PEM certificate and private key, instead of a secret. */
    certificatePem?: string;
    privateKeyPem?: string;
  };
}

export interface AuditEventDto {
  id: string;
  at: string;
  actor: string;
  action: string;
  target: string | null;
  /** Secrets are redacted to "[redacted]". */
  before: unknown;
  after: unknown;
}

export type MailboxState = "connected" | "needs_attention" | "not_connected" | "never_checked" | "not_configured";

export interface MailboxStatusDto {
  org: { id: string; name: string } | null;
  accessType: AccessTypeId | null;
  state: MailboxState;
  lastCheck: {
    category: string;
    severity: "ok" | "warning" | "error" | "transient";
    message: string;
    /** What the end user should tell their admin. */
    tellAdmin: string | null;
    checkedAt: string;
  } | null;
  /** When this mailbox was last checked and whether the organization re-checks on a schedule. */
  monitoring: MailboxMonitoringDto;
  /**
   * Where the mailbox is checked: the profile that checks this user and the place it reaches. Only for an
   * organization with more than one profile (a single connection needs no naming); null otherwise.
   */
  place: { where: MailboxPlace; profileName: string } | null;
}

/** Public settings the pane needs before sign-in (no secrets): authority, client id, API scope. */
export interface ClientConfigDto {
  authority: string;
  clientId: string;
  knownAuthorities: string[];
  apiScopes: string[];
  /** "oidc" for the lab's identity provider, "aad" for Microsoft Entra ID. */
  protocolMode: "oidc" | "aad";
  /** Scopes of the service-account sign-in for the EWS OAuth access type. */
  serviceAccountScopes: string[];
}
