/**
 * Every outcome of a mailbox check, with the severity the runner acts on, the words the admin and the end user
 * read, and what the category means to every reader (the flags below). One table: the EWS response codes, HTTP
 * statuses and Graph errors named in DOMAIN.md each map to one row.
 *  - ok: access works;
 *  - warning: works, but something the admin should fix (e.g. only the primary address works);
 *  - error: permanent until the admin acts; never retried within a run;
 *  - transient: retried with back-off within the run, reported only when retries are exhausted.
 */
export type Severity = "ok" | "warning" | "error" | "transient";

/** What a category means beyond its words; every reader (preflight, runner, drivers, history, alerts, pane) asks these. */
export interface CategoryFlags {
  /**
   * The service account or app itself is refused (its password, token or sign-in method): every further request
   * would fail the same way. Found at preflight or in any user's answer, the run stops at once as `auth_failed`
   * (so the account is not locked out) and the "service account or app is refused" alert opens.
   */
  stopsRun: boolean;
  /**
   * Found at preflight, no user's check can succeed (nothing reachable, trusted or allowed): the run ends before any
   * user. Every run-stopping category blocks preflight too.
   */
  blocksPreflight: boolean;
  /** The server asks the whole service account to slow down: the runner's budget pauses every request, not one. */
  throttling: boolean;
  /** The user counts as failing (history, status changes, alerts, summaries): severity error or transient. */
  failing: boolean;
  /** The other side could not be reached or trusted (DNS, connection, time-out, TLS): a gateway problem (502). */
  unreachable: boolean;
  /**
   * What a change of scope, role or consent may still be turning into (Exchange applies RBAC changes 30 minutes to
   * 2 hours later): the settling note goes with it.
   */
  scopeRelated: boolean;
  /**
   * The product's boundary is broken, not only its access: shown and alerted above every other finding, never held
   * by the settling window (scope_leak: a canary outside the scope was readable).
   */
  critical: boolean;
}

export interface Category extends CategoryFlags {
  id: string;
  severity: Severity;
  /** What happened, in the admin's words. */
  message: string;
  /** What the admin does about it. */
  remedy: string;
  /** What an end user should tell their admin (shown in the sidebar's "Your mailbox" card). */
  tellAdmin: string;
}

/** The flags a row sets; `failing` follows from the severity, and `stopsRun` implies `blocksPreflight`. */
type Marks = Partial<Omit<CategoryFlags, "failing">>;

function category<const Id extends string>(
  id: Id,
  severity: Severity,
  message: string,
  remedy: string,
  more: { tellAdmin?: string } & Marks = {},
): Category & { id: Id } {
  const {
    tellAdmin = message,
    stopsRun = false,
    blocksPreflight = false,
    throttling = false,
    unreachable = false,
    scopeRelated = false,
    critical = false,
  } = more;
  return {
    id,
    severity,
    message,
    remedy,
    tellAdmin,
    stopsRun,
    blocksPreflight: stopsRun || blocksPreflight,
    throttling,
    failing: severity === "error" || severity === "transient",
    unreachable,
    scopeRelated,
    critical,
  };
}

export const CATEGORY_LIST = [
  category("ok", "ok", "Mailbox access works.", "Nothing to do.", { tellAdmin: "Your mailbox is connected." }),
  category(
    "non_primary_address",
    "warning",
    "The address is an alias; Exchange answered with the mailbox's primary SMTP address.",
    "Change the user's email in the organization to the primary address Exchange returned.",
    { tellAdmin: "My mailbox is listed under an alias instead of my primary address." },
  ),
  category(
    "impersonation_denied",
    "error",
    "The service account may not impersonate this user (ErrorImpersonateUserDenied).",
    "Assign the ApplicationImpersonation role to the service account with a management scope that includes this user (New-ManagementRoleAssignment -Role ApplicationImpersonation -User <service account> -CustomRecipientWriteScope <scope>).",
    { tellAdmin: "The organization's service account is not allowed to open my mailbox.", scopeRelated: true },
  ),
  category(
    "impersonation_not_granted",
    "error",
    "The service account has no impersonation right at all on this server (ErrorImpersonationDenied).",
    "Grant the ApplicationImpersonation role to the service account on the Exchange server (on-premises) or switch to Microsoft 365 OAuth (Graph) – App-only for Exchange Online.",
  ),
  category(
    "impersonation_failed",
    "error",
    "Exchange could not impersonate this user (ErrorImpersonationFailed): the account could not be resolved in the directory.",
    "Check that the user exists in Active Directory / Entra ID and that the address is spelled correctly; then run the check again.",
  ),
  category(
    "bad_impersonation_header",
    "error",
    "Exchange rejected the impersonation header data (ErrorInvalidExchangeImpersonationHeaderData).",
    "Use the user's primary SMTP address; remove stray characters or non-existent SIDs from the user's email.",
  ),
  category(
    "no_mailbox",
    "error",
    "The user has no mailbox on this server (ErrorNonExistentMailbox, or Graph MailboxNotEnabledForRESTAPI).",
    "Create a mailbox for the user or assign an Exchange license; remove the user from the organization if they should not be synced.",
    { tellAdmin: "I do not have a mailbox the organization can reach." },
  ),
  category(
    "access_denied",
    "error",
    "Exchange denied access to this mailbox (ErrorAccessDenied).",
    "For Graph app-only, widen the RBAC for Applications management scope to include this user (New-ManagementScope / New-ManagementRoleAssignment), then verify with Test-ServicePrincipalAuthorization; for EWS, check mailbox permissions.",
    { scopeRelated: true },
  ),
  category(
    "account_disabled",
    "error",
    "The user's account is disabled (ErrorAccountDisabled).",
    "Enable the account in Active Directory / Entra ID, or remove the user from the organization.",
  ),
  category(
    "mailbox_moving",
    "transient",
    "The mailbox is being moved, between databases or between on-premises Exchange and Exchange Online (ErrorMailboxMoveInProgress).",
    "Wait for the move to finish, then run the check again.",
  ),
  category(
    "mailbox_in_cloud",
    // A warning: the mailbox works where it lives; the profile checking it is the wrong one (Automatic follows it).
    "warning",
    "This mailbox has moved to Exchange Online: the on-premises server no longer holds it (its Autodiscover redirects the address to the cloud routing address, …mail.onmicrosoft.com).",
    "Check this user through a profile that reaches Exchange Online (Microsoft 365 OAuth (Graph) – App-only), or set the user's profile to Automatic so the product follows the move. If the mailbox should be on-premises, look at the move request (Get-MoveRequest <user>).",
    { tellAdmin: "My mailbox has moved to Exchange Online, but the organization still looks for it on-premises." },
  ),
  category(
    "mailbox_on_premises",
    // A warning: the mailbox works where it lives; the profile checking it is the wrong one (Automatic follows it).
    "warning",
    "This user is synced from on-premises Active Directory and Exchange Online holds no mailbox for them (Graph MailboxNotEnabledForRESTAPI): the mailbox is most likely still on the on-premises Exchange server.",
    "Check this user through a profile that reaches the on-premises Exchange server (Microsoft Exchange Impersonation), or set the user's profile to Automatic so the product places them. If the mailbox should be in Exchange Online, complete its move (New-MoveRequest -Remote) or assign an Exchange Online licence.",
    {
      tellAdmin:
        "My mailbox is on the on-premises Exchange server, but the organization looks for it in Exchange Online.",
    },
  ),
  category(
    "no_profile",
    "error",
    "No connection profile of the organization reaches this user's mailbox: neither on-premises Exchange nor Exchange Online holds it through the profiles configured.",
    "Check that the user has a mailbox (Get-Mailbox or Get-RemoteMailbox <user>) and a licence; add a profile for the place the mailbox lives, or assign the user to the profile that should reach it.",
    { tellAdmin: "None of the organization's connections reaches my mailbox." },
  ),
  category(
    "mailbox_store_unavailable",
    "transient",
    "The mailbox database is unavailable (ErrorMailboxStoreUnavailable).",
    "Check the Exchange database's health (Get-MailboxDatabaseCopyStatus); run the check again when it is mounted.",
  ),
  category(
    "server_busy",
    "transient",
    "Exchange is throttling the service account (ErrorServerBusy).",
    "Nothing to change if it clears on retry; if it persists, lower the check concurrency or raise the service account's EWS throttling budget.",
    { throttling: true },
  ),
  category(
    "too_many_connections",
    "transient",
    "The service account exceeded its concurrent connection limit (ErrorExceededConnectionCount).",
    "Lower the check concurrency (EWSMaxConcurrency is 27 on Exchange 2013+ and Exchange Online, 10 on 2010).",
    { throttling: true },
  ),
  category(
    "mailbox_full",
    "error",
    "The mailbox is over its size quota, so the test message could not be saved (ErrorQuotaExceeded).",
    "Free space in the mailbox or raise its quota (Set-Mailbox -ProhibitSendReceiveQuota); reading still works, so a read-depth check passes.",
    { tellAdmin: "My mailbox is full." },
  ),
  category(
    "throttled",
    "transient",
    "The server asked to slow down (HTTP 429 or 503 with Retry-After).",
    "Wait and run the check again; lower the check concurrency if it keeps happening.",
    { throttling: true },
  ),
  category(
    "auth_failed",
    "error",
    "The service account's credentials or token were refused (HTTP 401). The run stopped so the account is not locked out.",
    "Re-enter the password or sign the service account in again, then run the check again.",
    { stopsRun: true },
  ),
  category(
    "auth_method_unsupported",
    "error",
    "The server offers no sign-in the chosen Authentication can use: Windows authentication without NTLM (Negotiate/Kerberos only), or not the chosen method.",
    "Enable NTLM for Windows authentication on the EWS and Autodiscover virtual directories (IIS: Windows Authentication, providers Negotiate and NTLM; Set-WebServicesVirtualDirectory -WindowsAuthentication $true), or choose the method the server offers. Kerberos needs a domain-joined client and is not used.",
    { stopsRun: true },
  ),
  category(
    "basic_disabled",
    "error",
    "Basic authentication is chosen but the server does not offer it (on-premises Exchange ships with Basic off).",
    "Set Authentication to Windows (NTLM) or Automatic; or enable Basic on the EWS virtual directory (Set-WebServicesVirtualDirectory -BasicAuthentication $true) if your policy allows it.",
    { stopsRun: true },
  ),
  category(
    "ntlm_refused",
    "error",
    "The server refused the Windows (NTLM) sign-in after a complete handshake. The run stopped so the account is not locked out.",
    "Check the Account Logon (DOMAIN\\user, UPN or address) and Password first: a wrong password looks the same. If they are right, the likely causes are: the domain refuses NTLM for this account (this product sends NTLMv2 only, never NTLMv1); Extended Protection set to Require channel binding (use the front-end EWS directory, which accepts NTLMv2 without it); a load balancer that terminates TLS (SSL offloading), which breaks Windows authentication; or choose Basic where it is enabled.",
    { stopsRun: true },
  ),
  category(
    "secret_expired",
    "error",
    "The app's client secret has expired (AADSTS7000222). The run stopped.",
    "Create a new secret in the Microsoft Entra admin center: App registrations → the app → Certificates & secrets → Client secrets → New client secret; copy its Value (shown once) into Client secret and save. Then delete the expired one.",
    { stopsRun: true },
  ),
  category(
    "secret_id_pasted",
    "error",
    "The client secret was refused (AADSTS7000215): this is usually the secret's ID pasted instead of its Value. The run stopped.",
    "In App registrations → the app → Certificates & secrets, the Value column (not Secret ID) is the secret; it is shown only right after creation. If it is no longer visible, create a new client secret and paste its Value into Client secret.",
    { stopsRun: true },
  ),
  category(
    "app_not_in_tenant",
    "error",
    "The app is not known in this tenant (AADSTS700016): wrong Application (client) ID, wrong tenant, or the app was never consented there.",
    "Check the Application (client) ID and Directory (tenant) ID on the app's Overview page; for a multi-tenant app, add it to this tenant by granting admin consent (Enterprise applications → the app → Permissions → Grant admin consent).",
    { stopsRun: true },
  ),
  category(
    "conditional_access_blocked",
    "error",
    "A Conditional Access policy for workload identities blocked the app's sign-in (AADSTS53003).",
    "In Microsoft Entra ID → Protection → Conditional Access, find the policy that targets workload identities (the sign-in logs under Service principal sign-ins name it) and exclude this app or allow the backend's outbound IP addresses in its named location.",
    { stopsRun: true },
  ),
  category(
    "tenant_not_found",
    "error",
    "The tenant does not exist (AADSTS90002): the Directory (tenant) ID or domain is wrong.",
    "Copy the Directory (tenant) ID from the app's Overview page in the Microsoft Entra admin center, or use the tenant's initial domain (…onmicrosoft.com).",
    { stopsRun: true },
  ),
  category(
    "tenant_wide_consent",
    "warning",
    "A mail permission is consented tenant-wide in Entra ID: it adds to the RBAC for Applications scope, so the app can read every mailbox and the scope has no effect.",
    "Remove the tenant-wide application permission named in the warning (Enterprise applications → the app → Permissions, or Remove-MgServicePrincipalAppRoleAssignment) and keep only the RBAC for Applications role assignment; re-check after up to 2 hours.",
    { scopeRelated: true },
  ),
  category(
    "scope_leak",
    "error",
    "A canary mailbox outside the scope was readable: the service account or app reaches mailboxes it must not.",
    "Close the grant named in the cause (remove the tenant-wide consent, scope the role assignment, or give ApplicationImpersonation a management scope), then run the check again: the canary must be refused.",
    { tellAdmin: "The organization's access reaches further than it should.", critical: true },
  ),
  category(
    "permission_missing",
    "warning",
    "The app lacks an application permission the product needs.",
    'Grant the permission named in the warning: as an RBAC for Applications role scoped to the org\'s users (New-ManagementRoleAssignment -App <app id> -Role "Application Mail.Read" -CustomResourceScope <scope>), or for directory and rooms as an Entra ID application permission with admin consent.',
    { scopeRelated: true },
  ),
  category(
    "calendar_denied",
    "warning",
    "Mail can be read but the calendar cannot (403 ErrorAccessDenied on the calendar): the RBAC for Applications scope grants mail but not calendars for this user.",
    'Assign the app the Application Calendars.Read (or Calendars.ReadWrite) role with the same management scope as Application Mail.Read (New-ManagementRoleAssignment -App <app id> -Role "Application Calendars.Read" -CustomResourceScope <scope>).',
    { tellAdmin: "The organization can read my mail but not my calendar.", scopeRelated: true },
  ),
  category(
    "drafts_not_permitted",
    "warning",
    "Reading works, but the app may not create items (no Mail.ReadWrite), so the full-depth draft test was skipped.",
    "For write access, assign the Application Mail.ReadWrite role with the same management scope as Application Mail.Read; a read-depth check needs nothing more.",
    { scopeRelated: true },
  ),
  category(
    "mailbox_throttled",
    "transient",
    "Graph kept throttling this mailbox after retries (429 ApplicationThrottled, MailboxConcurrency).",
    "Graph allows 4 concurrent requests per app per mailbox: another app or sync may be busy with this mailbox. Run the check again later; other mailboxes were not slowed down.",
  ),
  category(
    "ews_blocked",
    "error",
    "Exchange Online refused EWS (HTTP 403): EWS is disabled for the organization or the mailbox, or the app is not on the EWS allow-list.",
    "Look at three settings in Exchange Online PowerShell: the organization's EwsEnabled (Get-OrganizationConfig | fl EwsEnabled; Set-OrganizationConfig -EwsEnabled $true), the mailbox's EwsEnabled (Get-CASMailbox <user> | fl EwsEnabled; Set-CASMailbox <user> -EwsEnabled $true), and EwsAllowedAppIDs when EwsApplicationAccessPolicy is EnforceAllowList (Set-OrganizationConfig -EwsAllowedAppIDs @{Add=\"<app id>\"}; the app ID is in the detail). Changes can take up to 24 hours. EWS in Exchange Online shuts down on 1 April 2027: plan the move to Microsoft 365 OAuth (Graph) – App-only.",
    { blocksPreflight: true, scopeRelated: true },
  ),
  category(
    "token_expired",
    "error",
    "The service account's sign-in has expired and could not be refreshed.",
    "Sign the service account in again with the Microsoft 365 OAuth (EWS API) button.",
    { stopsRun: true },
  ),
  category(
    "token_header_mismatch",
    "error",
    "The token does not fit this access type: Exchange requires (or refuses) the ExchangeImpersonation header for this kind of OAuth token.",
    "Exchange Online no longer allows delegated impersonation (February 2025): switch to Microsoft 365 OAuth (Graph) – App-only. On-premises, use an app-only token with the header, or a delegated token for the service account itself.",
    { blocksPreflight: true },
  ),
  category(
    "forbidden",
    "error",
    "Exchange refused the request (HTTP 403): EWS is blocked for this tenant, the license does not include EWS (F1/F3/kiosk), or a policy forbids the app.",
    "EWS in Exchange Online is blocked since 1 October 2026 and shuts down on 1 April 2027: move to Microsoft 365 OAuth (Graph) – App-only. For a single user, check their license and any application access policy.",
    { blocksPreflight: true },
  ),
  category(
    "graph_scope_denied",
    "error",
    "The app is not allowed to read this mailbox through Graph (403 ErrorAccessDenied): the user is outside the RBAC for Applications management scope, or the app lacks the role.",
    "Add the user to the management scope (run the generated PowerShell) or grant the app the Mail.Read application role with admin consent; verify with Test-ServicePrincipalAuthorization.",
    { scopeRelated: true },
  ),
  category(
    "user_not_found",
    "error",
    "No such user in the tenant (Graph 404 Request_ResourceNotFound).",
    "Check the user's email in the organization against the tenant's user principal names.",
  ),
  category(
    "tls_error",
    "error",
    "The server's TLS certificate is not valid for this URL (expired, self-signed or a different host name).",
    "Install a certificate from a trusted authority on the Exchange server, or correct the EWS URL's host name.",
    { blocksPreflight: true, unreachable: true },
  ),
  category(
    "url_refused",
    "error",
    "The product refused to call this address: its outbound URL guard allows only https to public addresses unless the operator allows the host.",
    "Use the server's public https URL; for an internal Exchange server, ask the operator to allow its host (OUTBOUND_ALLOWED_HOSTS) or range (OUTBOUND_ALLOW_PRIVATE).",
    { blocksPreflight: true },
  ),
  category(
    "network_error",
    "transient",
    "The server could not be reached (DNS, connection refused or reset).",
    "Check the EWS URL, the firewall and that the server is running; then run the check again.",
    { blocksPreflight: true, unreachable: true },
  ),
  category(
    "timeout",
    "transient",
    "The server did not answer in time.",
    "Run the check again; if it keeps timing out, check the Exchange server's load.",
    { blocksPreflight: true, unreachable: true },
  ),
  category(
    "server_error",
    "transient",
    "The server failed while answering (HTTP 500 or a SOAP fault).",
    "Run the check again; if it persists, look at the Exchange server's event log.",
  ),
  category(
    "bad_response",
    "error",
    "The server's answer was not valid EWS or Graph (not XML, truncated or schema-invalid).",
    "Check that the EWS URL points at Exchange Web Services (…/EWS/Exchange.asmx) and not at a proxy or login page.",
    { blocksPreflight: true },
  ),
  category(
    "retired_access_type",
    "error",
    "This access type cannot work against Exchange Online any more: ApplicationImpersonation was removed in February 2025.",
    "Switch the organization to Microsoft 365 OAuth (Graph) – App-only and scope it with RBAC for Applications.",
    { blocksPreflight: true },
  ),
  category(
    "unknown_error",
    "error",
    "Exchange returned an error this product does not recognise.",
    "Read the detail below; if unsure, run Microsoft's Remote Connectivity Analyzer 'Service Account Access' test.",
  ),
] as const;

export type CategoryId = (typeof CATEGORY_LIST)[number]["id"];

export const CATEGORIES: Record<CategoryId, Category> = Object.fromEntries(
  CATEGORY_LIST.map((entry) => [entry.id, entry]),
) as Record<CategoryId, Category>;

/** Every category whose `flag` is set, in the table's order. */
export function categoriesWhere(flag: keyof CategoryFlags): CategoryId[] {
  return CATEGORY_LIST.filter((entry) => entry[flag]).map((entry) => entry.id);
}

/** The service account or app is refused: the run stops as auth_failed wherever it is found (see CategoryFlags). */
export const RUN_STOPPING_CATEGORIES: readonly CategoryId[] = categoriesWhere("stopsRun");

export function stopsRun(category: CategoryId): boolean {
  return CATEGORIES[category].stopsRun;
}

export function blocksPreflight(category: CategoryId): boolean {
  return CATEGORIES[category].blocksPreflight;
}

export function isThrottling(category: CategoryId): boolean {
  return CATEGORIES[category].throttling;
}

export function isFailing(category: CategoryId): boolean {
  return CATEGORIES[category].failing;
}

export function isUnreachable(category: CategoryId): boolean {
  return CATEGORIES[category].unreachable;
}

/** The answer a mailbox outside the scope gets: a scope-related refusal (what a canary must answer). */
export function refusesOutsideScope(category: CategoryId): boolean {
  const entry = CATEGORIES[category];
  return entry.scopeRelated && entry.failing;
}

/** How many users of `counts` (per category) are failing; an id this version does not know counts as unknown_error. */
export function failingCount(counts: Partial<Record<string, number>>): number {
  let failing = 0;
  for (const [category, count] of Object.entries(counts)) {
    if (isFailing(isCategoryId(category) ? category : "unknown_error")) failing += count ?? 0;
  }
  return failing;
}

export function isCategoryId(value: unknown): value is CategoryId {
  return typeof value === "string" && Object.hasOwn(CATEGORIES, value);
}
