/**
 * The PowerShell an Exchange Online admin runs for the Graph app-only access type: RBAC for Applications scoped to
 * exactly the organization's users (a mail-enabled security group kept in sync, a management scope on membership),
 * the Application Mail.Read and Application Calendars.Read role assignments, and Test-ServicePrincipalAuthorization
 * for sample users. Every value
 * is embedded as a single-quoted PowerShell literal, so nothing in it is ever interpreted.
 */
import { NEVER_IN_TEXT, findCharacter } from "../../contract/characters.js";
import { displayNameProblem } from "../../contract/displayName.js";
import { emailAddressProblem } from "../../contract/emailAddress.js";
import { isGuid } from "../../contract/identifiers.js";
import { UnencodableValueError } from "../exchange/unencodable.js";

export interface RbacScriptInput {
  /** The app registration's application (client) id. */
  appId: string;
  /** The enterprise application's (service principal's) object id in Entra ID. */
  servicePrincipalObjectId: string;
  /** The organization's name, for the group and scope names. */
  orgName: string;
  userEmails: string[];
  /** How many users Test-ServicePrincipalAuthorization checks (default 5). */
  sampleSize?: number;
}

export type RbacScriptResult =
  { ok: true; script: string } | { ok: false; errors: Array<{ field: string; message: string }> };

/**
 * Exchange Online role names for app-only mailbox access through Graph: RBAC grants per permission, so a sync engine
 * that reads mail and calendars needs both (Mail.Read covers inbox and messages; without Calendars.Read every
 * user's check is calendar_denied).
 */
export const RBAC_APPLICATION_ROLES = ["Application Mail.Read", "Application Calendars.Read"] as const;

/**
 * A PowerShell single-quoted literal: only quote characters are special inside it, and PowerShell also treats the
 * typographic single quotes (U+2018..U+201B) as quotes, so each is doubled. A control, line-separator or
 * bidirectional character throws UnencodableValueError: the script an admin reads must be the script that runs.
 */
export function powerShellLiteral(value: string): string {
  const finding = findCharacter(value, NEVER_IN_TEXT);
  if (finding) throw new UnencodableValueError("A PowerShell literal", finding.codePoint, finding.position);
  return `'${value.replace(/['\u2018\u2019\u201A\u201B]/g, (quote) => quote + quote)}'`;
}

function slug(value: string): string {
  const text = value
    .normalize("NFKD")
    .replace(/[^A-Za-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .toLowerCase();
  return text === "" ? "org" : text.slice(0, 40);
}

export function rbacForApplicationsScript(input: RbacScriptInput): RbacScriptResult {
  const errors: Array<{ field: string; message: string }> = [];
  if (!isGuid(input.appId)) errors.push({ field: "appId", message: "must be the application (client) id, a GUID" });
  if (!isGuid(input.servicePrincipalObjectId)) {
    errors.push({
      field: "servicePrincipalObjectId",
      message: "must be the enterprise application's object id, a GUID",
    });
  }
  const emails = [...new Set(input.userEmails.map((email) => email.trim().toLowerCase()))];
  if (emails.length === 0) errors.push({ field: "userEmails", message: "the organization has no users to scope" });
  emails.forEach((email, index) => {
    const problem = emailAddressProblem(email);
    if (problem !== null)
      errors.push({ field: `userEmails[${index}]`, message: `is not an email address: it ${problem}` });
  });
  const orgNameProblem = displayNameProblem(input.orgName);
  if (orgNameProblem !== null) errors.push({ field: "orgName", message: orgNameProblem });
  if (errors.length > 0) return { ok: false, errors };

  const name = `Sync Sidebar - ${input.orgName.trim() || "organization"}`.slice(0, 64);
  const alias = `syncsidebar-${slug(input.orgName)}`;
  const samples = emails.slice(0, Math.max(1, input.sampleSize ?? 5));
  const list = (values: string[]): string => values.map((value) => `    ${powerShellLiteral(value)}`).join(",\n");

  const script = `# RBAC for Applications for Sync Sidebar (Microsoft 365 OAuth (Graph) - App-only).
# Run in PowerShell 7 with the ExchangeOnlineManagement module, as an Exchange administrator:
#   Connect-ExchangeOnline
# Re-running is safe: it creates what is missing and brings the group back to exactly these ${emails.length} users.
$ErrorActionPreference = 'Stop'

$appId = ${powerShellLiteral(input.appId)}
$objectId = ${powerShellLiteral(input.servicePrincipalObjectId)}
$displayName = ${powerShellLiteral(name)}
$groupAlias = ${powerShellLiteral(alias)}
$scopeName = ${powerShellLiteral(`${name} scope`)}
$roles = @(
${list([...RBAC_APPLICATION_ROLES])}
)
$users = @(
${list(emails)}
)
$samples = @(
${list(samples)}
)

# 1. Point Exchange Online at the app's service principal.
if (-not (Get-ServicePrincipal -Identity $objectId -ErrorAction SilentlyContinue)) {
    New-ServicePrincipal -AppId $appId -ObjectId $objectId -DisplayName $displayName | Out-Null
}

# 2. A mail-enabled security group holding exactly the organization's users.
$group = Get-DistributionGroup -Identity $groupAlias -ErrorAction SilentlyContinue
if (-not $group) {
    $group = New-DistributionGroup -Name $displayName -Alias $groupAlias -Type Security
    Set-DistributionGroup -Identity $group.Identity -HiddenFromAddressListsEnabled $true
}
$members = @(Get-DistributionGroupMember -Identity $group.Identity -ResultSize Unlimited |
    ForEach-Object { $_.PrimarySmtpAddress.ToString().ToLowerInvariant() })
foreach ($user in $users) {
    if ($members -notcontains $user) {
        Add-DistributionGroupMember -Identity $group.Identity -Member $user -BypassSecurityGroupManagerCheck
    }
}
foreach ($member in $members) {
    if ($users -notcontains $member) {
        Remove-DistributionGroupMember -Identity $group.Identity -Member $member -BypassSecurityGroupManagerCheck -Confirm:$false
    }
}

# 3. A management scope covering the group's members only.
$groupDn = $group.DistinguishedName -replace "'", "''"
$filter = "MemberOfGroup -eq '$groupDn'"
if (Get-ManagementScope -Identity $scopeName -ErrorAction SilentlyContinue) {
    Set-ManagementScope -Identity $scopeName -RecipientRestrictionFilter $filter
} else {
    New-ManagementScope -Name $scopeName -RecipientRestrictionFilter $filter | Out-Null
}

# 4. The application roles, limited to that scope.
foreach ($role in $roles) {
    $existing = Get-ManagementRoleAssignment -Role $role -RoleAssignee $objectId -ErrorAction SilentlyContinue |
        Where-Object { $_.CustomResourceScope -eq $scopeName }
    if (-not $existing) {
        New-ManagementRoleAssignment -App $objectId -Role $role -CustomResourceScope $scopeName | Out-Null
    }
}

# 5. Verify: each sample user must show InScope = True for every role (changes can take up to 2 hours to apply).
foreach ($sample in $samples) {
    Test-ServicePrincipalAuthorization -Identity $objectId -Resource $sample |
        Format-Table RoleName, GrantedPermissions, AllowedResourceScope, ScopeType, InScope -AutoSize
}
`;
  return { ok: true, script };
}
