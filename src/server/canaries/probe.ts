/**
 * Probing the canaries of a run: each one is checked through the run's driver exactly as a user is, at the run's
 * depth, and the answer is turned into a verdict. The boundary holds when the answer is a scope refusal; a capability
 * that answered ok is a leak, named with its likely cause (read from what the preflight saw of the grants) and how to
 * close it; anything else proves nothing either way.
 */
import type { CanaryVerdictDto, LeakedCapability } from "../../contract/canaries.js";
import { CATEGORIES, refusesOutsideScope } from "../../contract/categories.js";
import type { ResolvedEmailConfig } from "../exchange/config.js";
import type { CheckDepth, CheckOutcome, MailboxDriver, PreflightReport } from "../exchange/driver.js";

export interface ProbeContext {
  accessType: "ews_basic_impersonation" | "ews_oauth_impersonation" | "graph_app_only";
  /** The service account's logon or the app's client id, as the PowerShell of the remedy names it. */
  principal: string;
  preflight: PreflightReport;
  depth: CheckDepth;
}

const MAX_DETAIL = 500;

/** Who reaches the mailboxes, as the remedy's PowerShell names it: the service account's logon, or the app's id. */
export function principalOf(config: ResolvedEmailConfig): string {
  switch (config.accessType) {
    case "ews_basic_impersonation":
      return config.accountLogon;
    case "ews_oauth_impersonation":
      return config.serviceAccount.username ?? "<service account>";
    case "graph_app_only":
      return config.clientId;
  }
}

/** The capabilities the answer shows readable: per capability where the driver probes them apart, else the mailbox. */
export function leakedCapabilities(outcome: CheckOutcome): LeakedCapability[] {
  if (outcome.capabilities !== undefined) {
    const { mail, calendar, drafts } = outcome.capabilities;
    return (
      [
        ["mail", mail],
        ["calendar", calendar],
        ["drafts", drafts],
      ] as const
    )
      .filter(([, category]) => category === "ok")
      .map(([capability]) => capability);
  }
  // EWS impersonation opens the whole mailbox: an answer that reached it (ok, or ok with a note) is a leak.
  const { severity } = CATEGORIES[outcome.category];
  return severity === "ok" || severity === "warning" ? ["mail", "calendar"] : [];
}

/** Mailbox permissions the preflight found consented tenant-wide in Entra ID (Graph app-only). */
function tenantWideConsents(preflight: PreflightReport): string[] {
  const named = preflight.warnings
    .filter((warning) => warning.category === "tenant_wide_consent")
    .map((warning) => /^(\S+) is consented tenant-wide/.exec(warning.message)?.[1])
    .filter((permission): permission is string => permission !== undefined);
  return [...new Set(named)];
}

/** The likely cause of a leak and how to close it, in the admin's words. */
export function leakCause(context: ProbeContext, leaked: LeakedCapability[]): { cause: string; remedy: string } {
  const { principal } = context;
  if (context.accessType === "graph_app_only") {
    const consents = tenantWideConsents(context.preflight).filter((permission) =>
      leaked.some((capability) => (capability === "calendar" ? /^Calendars\./ : /^Mail\./).test(permission)),
    );
    if (consents.length > 0) {
      return {
        cause: `Tenant-wide consent of ${consents.join(", ")} in Entra ID: it adds to the RBAC for Applications scope, so every mailbox is readable.`,
        remedy: `Remove the ${consents.join(", ")} application permission of app ${principal} (Entra admin center → Enterprise applications → the app → Permissions, or Remove-MgServicePrincipalAppRoleAssignment), keep the scoped "Application …" role assignment in Exchange Online, then run the check again.`,
      };
    }
    return {
      cause:
        "An unscoped role assignment: an RBAC for Applications role given without a management scope, or the EWS full_access_as_app permission, reaches every mailbox.",
      remedy: `List the app's assignments (Get-ManagementRoleAssignment -RoleAssignee ${principal} | Format-List Role,CustomResourceScope), remove any without a CustomResourceScope, and remove full_access_as_app from the app registration if it is there; then run the check again.`,
    };
  }
  return {
    cause:
      "ApplicationImpersonation without a scope: the service account's impersonation role assignment has no management scope, so it may impersonate every mailbox.",
    remedy: `Scope the assignment (Get-ManagementRoleAssignment -Role ApplicationImpersonation -RoleAssignee ${principal} | Set-ManagementRoleAssignment -CustomRecipientWriteScope <scope>), or replace it with one that has -CustomRecipientWriteScope; then run the check again.`,
  };
}

/** The verdict of one canary's answer. */
export function verdictOf(
  address: string,
  outcome: CheckOutcome,
  context: ProbeContext,
  checkedAt: Date,
): CanaryVerdictDto {
  const detail = outcome.detail === undefined ? null : outcome.detail.slice(0, MAX_DETAIL);
  const leaked = leakedCapabilities(outcome);
  if (leaked.length > 0) {
    const { cause, remedy } = leakCause(context, leaked);
    return {
      address,
      verdict: "leaked",
      category: "scope_leak",
      leaked,
      cause,
      remedy,
      detail,
      checkedAt: checkedAt.toISOString(),
    };
  }
  return {
    address,
    verdict: refusesOutsideScope(outcome.category) ? "refused" : "inconclusive",
    category: outcome.category,
    leaked: [],
    cause: null,
    remedy: null,
    detail,
    checkedAt: checkedAt.toISOString(),
  };
}

/**
 * Probes every canary one after the other (a handful at most, each bounded by `timeoutMs`); a probe that throws or
 * times out is inconclusive, never a pass.
 */
export async function probeCanaries(
  driver: MailboxDriver,
  addresses: readonly string[],
  context: ProbeContext,
  signal: AbortSignal,
  timeoutMs: number,
  now: () => Date = () => new Date(),
): Promise<CanaryVerdictDto[]> {
  const verdicts: CanaryVerdictDto[] = [];
  for (const address of addresses) {
    if (signal.aborted) break;
    let outcome: CheckOutcome;
    try {
      outcome = await driver.checkUser(
        { email: address },
        context.depth,
        AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
      );
    } catch (error) {
      outcome = {
        category: "timeout",
        detail: error instanceof Error ? error.message : String(error),
        steps: [],
      };
    }
    verdicts.push(verdictOf(address, outcome, context, now()));
  }
  return verdicts;
}
