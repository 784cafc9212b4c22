/**
 * The Microsoft Graph PowerShell that registers Sync Sidebar in a tenant's Entra ID, and the backend environment
 * that goes with it. Three registrations: the pane (a single-page app with the Nested App Authentication redirect),
 * the backend API (access_as_user, the pane pre-authorized, a secret for on-behalf-of) and, with app-only, the
 * Graph app whose mailbox access RBAC for Applications scopes. Inputs are validated here and every value is
 * embedded as a single-quoted PowerShell literal (as the RBAC script does), so nothing in it is ever interpreted.
 */
import { APP_ONLY_CONSENTED_GRAPH_PERMISSIONS } from "../../contract/entraSetup.js";
import { powerShellLiteral } from "../emailConfig/rbacScript.js";

export interface EntraSetupInput {
  /** The directory (tenant) id, a GUID. */
  tenantId: string;
  /** Where the built pane is served (ADDIN_BASE_URL): https, an origin or an origin plus a path. */
  paneUrl: string;
  /** Also register the Graph app-only application (Exchange Online). */
  appOnly: boolean;
  /** Display name prefix of the registrations (default "Sync Sidebar"). */
  name?: string;
  /** App-only: a public certificate file (.cer/.pem) to upload instead of creating a client secret. */
  appCertificateFile?: string;
}

export interface EntraSetup {
  script: string;
  /** The backend's environment, with placeholders for what only the script's run knows (app ids, the secret). */
  environment: string;
  /** The value `npm run build` stamps into the manifest. */
  addinBaseUrl: string;
}

export type EntraSetupResult =
  { ok: true; setup: EntraSetup } | { ok: false; errors: Array<{ field: string; message: string }> };

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Microsoft Graph and Office 365 Exchange Online, the two resources the registrations ask permissions of. */
export const GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000";
export const EXCHANGE_APP_ID = "00000002-0000-0ff1-ce00-000000000000";

interface PaneLocation {
  /** Without a trailing slash: what ADDIN_BASE_URL holds and the redirect URIs start with. */
  base: string;
  origin: string;
  /** host[:port], what the NAA broker redirect brk-multihub://… names. */
  host: string;
}

function paneLocation(raw: string): PaneLocation | string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return `is not a URL (got "${raw.slice(0, 100)}")`;
  }
  if (url.protocol !== "https:") return `must use https: Office loads add-ins over HTTPS only (got "${raw}")`;
  if (url.username || url.password) return "must not carry credentials";
  if (url.search || url.hash) return `must not have a query or fragment (got "${raw}")`;
  // WHATWG URLs accept odd host characters; a redirect URI and an origin need a plain DNS name.
  if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(url.hostname)) {
    return `must name a DNS host (got "${url.hostname}")`;
  }
  return { base: url.href.replace(/\/+$/, ""), origin: url.origin, host: url.host };
}

export function entraSetup(input: EntraSetupInput): EntraSetupResult {
  const errors: Array<{ field: string; message: string }> = [];
  if (!GUID.test(input.tenantId.trim())) {
    errors.push({ field: "--tenant", message: "must be the directory (tenant) id, a GUID" });
  }
  const pane = paneLocation(input.paneUrl);
  if (typeof pane === "string") errors.push({ field: "--pane-url", message: pane });
  const name = (input.name ?? "Sync Sidebar").trim();
  // eslint-disable-next-line no-control-regex
  if (name.length === 0 || name.length > 80 || /[\u0000-\u001F\u007F]/.test(name)) {
    errors.push({ field: "--name", message: "must be 1 to 80 printable characters" });
  }
  if (input.appCertificateFile !== undefined && !input.appOnly) {
    errors.push({ field: "--app-certificate", message: "applies to the app-only registration: add --app-only" });
  }
  if (errors.length > 0 || typeof pane === "string") return { ok: false, errors };

  const tenantId = input.tenantId.trim().toLowerCase();
  const values = {
    tenantId,
    paneBase: pane.base,
    paneOrigin: pane.origin,
    naaRedirect: `brk-multihub://${pane.host}`,
    name,
  };
  const script = [
    header(values, input.appOnly),
    backendAndPane(),
    input.appOnly ? appOnly(input.appCertificateFile ?? null) : "",
    summary(input.appOnly, input.appCertificateFile !== undefined),
  ].join("\n");
  return {
    ok: true,
    setup: { script, environment: environmentBlock(tenantId, pane), addinBaseUrl: pane.base },
  };
}

type Values = { tenantId: string; paneBase: string; paneOrigin: string; naaRedirect: string; name: string };

function header(values: Values, appOnlyToo: boolean): string {
  const scopes = ["Application.ReadWrite.All", "DelegatedPermissionGrant.ReadWrite.All"];
  if (appOnlyToo) scopes.push("AppRoleAssignment.ReadWrite.All");
  return `# Sync Sidebar: Entra ID registrations for tenant ${values.tenantId}, pane at ${values.paneBase}.
# Generated by \`npm run setup:entra\`. Read it before you run it: it changes only the registrations it names.
# Run in PowerShell 7 with the Microsoft Graph PowerShell SDK (Install-Module Microsoft.Graph -Scope CurrentUser)
# as a Cloud Application Administrator${appOnlyToo ? " (app-only: a Privileged Role Administrator grants the app role;\n# the Exchange Online step needs the ExchangeOnlineManagement module and an Exchange administrator)" : ""}.
# Re-running is safe: registrations are found by display name and updated; each run adds one new secret.
#Requires -Version 7
$ErrorActionPreference = 'Stop'

$tenantId = ${powerShellLiteral(values.tenantId)}
$paneBase = ${powerShellLiteral(values.paneBase)}
$paneOrigin = ${powerShellLiteral(values.paneOrigin)}
$redirectUris = @(
    ${powerShellLiteral(`${values.paneBase}/auth.html`)},
    ${powerShellLiteral(`${values.paneBase}/taskpane.html`)},
    ${powerShellLiteral(values.naaRedirect)}
)
$namePrefix = ${powerShellLiteral(values.name)}

Connect-MgGraph -TenantId $tenantId -Scopes ${scopes.map(powerShellLiteral).join(", ")} -NoWelcome

function Get-OrNewApplication([string] $displayName) {
    $filter = "displayName eq '$($displayName -replace "'", "''")'"
    $existing = @(Get-MgApplication -Filter $filter)
    if ($existing.Count -gt 1) { throw "More than one application is named '$displayName': remove the extras first." }
    if ($existing.Count -eq 1) { return $existing[0] }
    return New-MgApplication -DisplayName $displayName -SignInAudience 'AzureADMyOrg'
}
function Get-OrNewServicePrincipal([string] $appId) {
    $existing = Get-MgServicePrincipal -Filter "appId eq '$appId'"
    if ($existing) { return $existing }
    return New-MgServicePrincipal -AppId $appId
}
function Grant-Delegated($client, $resource, [string] $scope) {
    $grant = Get-MgOauth2PermissionGrant -Filter "clientId eq '$($client.Id)' and resourceId eq '$($resource.Id)' and consentType eq 'AllPrincipals'"
    if ($grant) { Update-MgOauth2PermissionGrant -OAuth2PermissionGrantId $grant.Id -Scope $scope }
    else { New-MgOauth2PermissionGrant -ClientId $client.Id -ResourceId $resource.Id -ConsentType 'AllPrincipals' -Scope $scope | Out-Null }
}
function Get-ScopeId($resource, [string] $value) {
    $id = ($resource.Oauth2PermissionScopes | Where-Object Value -eq $value).Id
    if (-not $id) { throw "$($resource.DisplayName) has no delegated permission $value" }
    return $id
}
function Get-RoleId($resource, [string] $value) {
    $id = ($resource.AppRoles | Where-Object Value -eq $value).Id
    if (-not $id) { throw "$($resource.DisplayName) has no application permission $value" }
    return $id
}

# Permissions are looked up by name in this tenant rather than pasted as GUIDs.
$graph = Get-OrNewServicePrincipal ${powerShellLiteral(GRAPH_APP_ID)}
$exchange = Get-OrNewServicePrincipal ${powerShellLiteral(EXCHANGE_APP_ID)}
$signInScopes = @('openid', 'profile', 'offline_access', 'User.Read')
$graphSignIn = @{
    ResourceAppId = $graph.AppId
    ResourceAccess = @($signInScopes | ForEach-Object { @{ Id = (Get-ScopeId $graph $_); Type = 'Scope' } })
}
$ewsDelegated = @{
    ResourceAppId = $exchange.AppId
    ResourceAccess = @(@{ Id = (Get-ScopeId $exchange 'EWS.AccessAsUser.All'); Type = 'Scope' })
}
`;
}

function backendAndPane(): string {
  return `# 1. The backend API: v2 access tokens (issuer https://login.microsoftonline.com/<tenant>/v2.0, audience = its
#    client id), one delegated scope access_as_user, and EWS.AccessAsUser.All for the on-behalf-of exchange of the
#    EWS OAuth service account's sign-in.
$api = Get-OrNewApplication "$namePrefix API"
$scopeId = ($api.Api.Oauth2PermissionScopes | Where-Object Value -eq 'access_as_user').Id
if (-not $scopeId) { $scopeId = [guid]::NewGuid().ToString() }
$accessAsUser = @{
    Id = $scopeId
    Value = 'access_as_user'
    Type = 'User'
    IsEnabled = $true
    AdminConsentDisplayName = 'Use Sync Sidebar as the signed-in user'
    AdminConsentDescription = 'Lets the Sync Sidebar pane call its backend as the signed-in user.'
    UserConsentDisplayName = 'Use Sync Sidebar as you'
    UserConsentDescription = 'Lets the Sync Sidebar pane call its backend as you.'
}
Update-MgApplication -ApplicationId $api.Id -SignInAudience 'AzureADMyOrg' \`
    -IdentifierUris @("api://$($api.AppId)") \`
    -Api @{ RequestedAccessTokenVersion = 2; Oauth2PermissionScopes = @($accessAsUser) } \`
    -RequiredResourceAccess @($graphSignIn, $ewsDelegated)

# 2. The pane: a single-page app. Redirect URIs: the MSAL popup/dialog page, the pane itself, and the Nested App
#    Authentication broker (brk-multihub://<pane host>) that Outlook uses inside Office.
$pane = Get-OrNewApplication "$namePrefix pane"
Update-MgApplication -ApplicationId $pane.Id -SignInAudience 'AzureADMyOrg' \`
    -Spa @{ RedirectUris = $redirectUris } \`
    -Web @{ RedirectUris = @(); ImplicitGrantSettings = @{ EnableAccessTokenIssuance = $false; EnableIdTokenIssuance = $false } } \`
    -RequiredResourceAccess @(
        @{ ResourceAppId = $api.AppId; ResourceAccess = @(@{ Id = $scopeId; Type = 'Scope' }) },
        $graphSignIn,
        $ewsDelegated
    )

# 3. The pane is pre-authorized for access_as_user: users are never asked to consent to their own backend.
Update-MgApplication -ApplicationId $api.Id \`
    -Api @{
        RequestedAccessTokenVersion = 2
        Oauth2PermissionScopes = @($accessAsUser)
        PreAuthorizedApplications = @(@{ AppId = $pane.AppId; DelegatedPermissionIds = @($scopeId) })
    }

# 4. Service principals and tenant-wide consent for sign-in (and, for the backend, EWS on behalf of the service
#    account that an admin signs in through the pane's popup).
$apiPrincipal = Get-OrNewServicePrincipal $api.AppId
$panePrincipal = Get-OrNewServicePrincipal $pane.AppId
Grant-Delegated $panePrincipal $graph ($signInScopes -join ' ')
Grant-Delegated $panePrincipal $exchange 'EWS.AccessAsUser.All'
Grant-Delegated $apiPrincipal $graph ($signInScopes -join ' ')
Grant-Delegated $apiPrincipal $exchange 'EWS.AccessAsUser.All'

# 5. The backend's client secret for on-behalf-of (BACKEND_CLIENT_SECRET), valid 12 months: shown once below.
$backendSecret = Add-MgApplicationPassword -ApplicationId $api.Id -PasswordCredential @{
    DisplayName = 'Sync Sidebar backend (on-behalf-of)'
    EndDateTime = (Get-Date).ToUniversalTime().AddMonths(12)
}
`;
}

function appOnly(certificateFile: string | null): string {
  const credential =
    certificateFile === null
      ? `$graphAppSecret = Add-MgApplicationPassword -ApplicationId $graphApp.Id -PasswordCredential @{
    DisplayName = 'Sync Sidebar app-only'
    EndDateTime = (Get-Date).ToUniversalTime().AddMonths(12)
}`
      : `$certificate = [System.Security.Cryptography.X509Certificates.X509Certificate2]::new(${powerShellLiteral(certificateFile)})
Update-MgApplication -ApplicationId $graphApp.Id -KeyCredentials @(@{
    Type = 'AsymmetricX509Cert'
    Usage = 'Verify'
    Key = $certificate.RawData
    DisplayName = "CN=$($certificate.GetNameInfo('SimpleName', $false))"
})
$graphAppSecret = $null`;
  return `# 6. App-only (Microsoft 365 OAuth (Graph) - App-only, Exchange Online). Mail.Read is deliberately NOT granted in
#    Entra ID: a tenant-wide consent adds up with RBAC for Applications and would open every mailbox. Mailbox access
#    comes from Exchange Online's "Application Mail.Read" role scoped to the organization's users (step 7). Only
#    directory and room permissions (no mailbox content) are consented here: User.Read.All (telling aliases from
#    primary addresses) and Place.Read.All (the room list).
$graphApp = Get-OrNewApplication "$namePrefix Graph app-only"
$appOnlyRoles = @(${APP_ONLY_CONSENTED_GRAPH_PERMISSIONS.map(powerShellLiteral).join(", ")}) | ForEach-Object { Get-RoleId $graph $_ }
Update-MgApplication -ApplicationId $graphApp.Id -SignInAudience 'AzureADMyOrg' \`
    -RequiredResourceAccess @(@{ ResourceAppId = $graph.AppId; ResourceAccess = @($appOnlyRoles | ForEach-Object { @{ Id = $_; Type = 'Role' } }) })
$graphAppPrincipal = Get-OrNewServicePrincipal $graphApp.AppId
foreach ($roleId in $appOnlyRoles) {
    $assigned = Get-MgServicePrincipalAppRoleAssignment -ServicePrincipalId $graphAppPrincipal.Id |
        Where-Object { $_.AppRoleId -eq $roleId -and $_.ResourceId -eq $graph.Id }
    if (-not $assigned) {
        New-MgServicePrincipalAppRoleAssignment -ServicePrincipalId $graphAppPrincipal.Id \`
            -PrincipalId $graphAppPrincipal.Id -ResourceId $graph.Id -AppRoleId $roleId | Out-Null
    }
}
${credential}

# 7. RBAC for Applications: point Exchange Online at the app's service principal. The management scope and the
#    "Application Mail.Read" and "Application Calendars.Read" assignments list the organization's users, so the product
#    generates them per organization:
#    Admin settings -> Email Configuration -> Microsoft 365 OAuth (Graph) - App-only -> Generate PowerShell.
#    Exchange applies RBAC changes after 30 minutes to 2 hours.
Import-Module ExchangeOnlineManagement
Connect-ExchangeOnline -ShowBanner:$false
if (-not (Get-ServicePrincipal -Identity $graphAppPrincipal.Id -ErrorAction SilentlyContinue)) {
    New-ServicePrincipal -AppId $graphApp.AppId -ObjectId $graphAppPrincipal.Id -DisplayName "$namePrefix Graph app-only" | Out-Null
}
`;
}

function summary(appOnlyToo: boolean, certificate: boolean): string {
  const appOnlyLines = appOnlyToo
    ? `
Write-Output ''
Write-Output '# Email Configuration (Microsoft 365 OAuth (Graph) - App-only), in the pane:'
Write-Output "#   Tenant ID: $tenantId"
Write-Output "#   Client ID: $($graphApp.AppId)"
Write-Output "#   Enterprise application (service principal) object id: $($graphAppPrincipal.Id)"
${certificate ? "Write-Output '#   Credential: the private key of the certificate you uploaded'" : 'Write-Output "#   Client secret: $($graphAppSecret.SecretText)"'}`
    : "";
  return `# 8. What the backend needs. Secrets are shown once: store them in your secret store, not in a file in git.
Write-Output ''
Write-Output '# Backend environment (add DATABASE_URL, SECRETS_KEYS, HOST/PORT):'
Write-Output "ALLOWED_ORIGINS=$paneOrigin"
Write-Output "TOKEN_ISSUERS=https://login.microsoftonline.com/$tenantId/v2.0"
Write-Output "TOKEN_AUDIENCE=$($api.AppId)"
Write-Output "AUTH_AUTHORITY=https://login.microsoftonline.com/$tenantId"
Write-Output "AUTH_CLIENT_ID=$($pane.AppId)"
Write-Output "AUTH_API_SCOPES=api://$($api.AppId)/access_as_user"
Write-Output 'AUTH_PROTOCOL_MODE=aad'
Write-Output "BACKEND_CLIENT_ID=$($api.AppId)"
Write-Output "BACKEND_CLIENT_SECRET=$($backendSecret.SecretText)"
Write-Output ''
Write-Output '# Build the pane and its manifest with:'
Write-Output "ADDIN_BASE_URL=$paneBase"${appOnlyLines}
`;
}

function environmentBlock(tenantId: string, pane: PaneLocation): string {
  return [
    "# The backend's environment; <…> values are printed by the script when it runs.",
    "NODE_ENV=production",
    "HOST=0.0.0.0",
    "PORT=3001",
    "DATABASE_URL=postgres://sync_sidebar@db.internal:5432/sync_sidebar",
    "SECRETS_KEYS=k1:<32 random bytes, base64: openssl rand -base64 32>",
    `ALLOWED_ORIGINS=${pane.origin}`,
    `TOKEN_ISSUERS=https://login.microsoftonline.com/${tenantId}/v2.0`,
    "TOKEN_AUDIENCE=<backend API application (client) id>",
    `AUTH_AUTHORITY=https://login.microsoftonline.com/${tenantId}`,
    "AUTH_CLIENT_ID=<pane application (client) id>",
    "AUTH_API_SCOPES=api://<backend API application (client) id>/access_as_user",
    "AUTH_PROTOCOL_MODE=aad",
    "BACKEND_CLIENT_ID=<backend API application (client) id>",
    "BACKEND_CLIENT_SECRET=<backend secret printed by the script>",
    "",
    "# The pane and its manifest: build with",
    `ADDIN_BASE_URL=${pane.base}`,
  ].join("\n");
}
