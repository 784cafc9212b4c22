import type { EmailConfigDto } from "../../../../src/contract/api";
import { CATEGORIES, isCategoryId, type Severity } from "../../../../src/contract/categories";
import type {
  CanaryDirectorySuggestionsDto,
  CanaryDto,
  CanaryListDto,
  CanaryVerdictDto,
} from "../../../../src/contract/canaries";
import type { CheckResultDto, CheckRunDto } from "../../../../src/contract/checks";
import type { ConnectionProfileListItemDto } from "../../../../src/contract/profiles";
import type { RouteAnswer, SentRequest } from "./harness";

export function emailConfig(partial: Partial<EmailConfigDto> = {}): EmailConfigDto {
  return {
    orgId: "org-1",
    accessType: null,
    ewsUrl: null,
    accountLogon: null,
    hasPassword: false,
    authentication: "automatic",
    serviceAccount: { username: null, state: "not_signed_in", tokenExpiresAt: null },
    appOnly: {
      tenantId: null,
      clientId: null,
      credentialType: null,
      hasClientSecret: false,
      certificateThumbprint: null,
      clientSecretExpiresAt: null,
    },
    version: 0,
    updatedBy: null,
    updatedAt: null,
    ...partial,
  };
}

/** Results per severity as the server counts them from the results per category. */
function severityCountsOf(counts: Record<string, number>): Record<Severity, number> {
  const bySeverity: Record<Severity, number> = { ok: 0, warning: 0, error: 0, transient: 0 };
  for (const [category, count] of Object.entries(counts)) {
    if (isCategoryId(category)) bySeverity[CATEGORIES[category].severity] += count;
  }
  return bySeverity;
}

/** One connection profile's share of a group run: 3 users, all connected, unless `partial` says otherwise. */
export function profileShare(
  name: string,
  partial: Partial<CheckRunDto["profiles"][number]> = {},
): CheckRunDto["profiles"][number] {
  return {
    profileId: `profile-${name}`,
    name,
    accessType: "ews_basic_impersonation",
    state: "completed",
    total: 3,
    done: 3,
    counts: { ok: 3 },
    stopCategory: null,
    stopDetail: null,
    ...partial,
  };
}

export function checkRun(partial: Partial<CheckRunDto> = {}): CheckRunDto {
  const counts = partial.counts ?? { ok: 2, no_mailbox: 1 };
  return {
    id: "run-1",
    orgId: "org-1",
    state: "completed",
    depth: "read",
    scope: "all",
    accessType: "ews_basic_impersonation",
    configVersion: null,
    draft: true,
    concurrency: 10,
    total: 3,
    done: 3,
    counts,
    severityCounts: severityCountsOf(counts),
    preflight: null,
    stopReason: null,
    startedBy: "megan.bowen@contoso.lab",
    trigger: "manual",
    startedAt: new Date().toISOString(),
    finishedAt: new Date().toISOString(),
    etaSeconds: null,
    ...partial,
    profiles: partial.profiles ?? [],
  };
}

export function result(email: string, category: "ok" | "no_mailbox" = "ok"): CheckResultDto {
  return {
    userId: email,
    email,
    category,
    severity: category === "ok" ? "ok" : "error",
    message: category === "ok" ? "Mailbox access works." : "The user has no mailbox on this server.",
    remedy: category === "ok" ? "Nothing to do." : "Create a mailbox for the user or assign an Exchange license.",
    detail: null,
    primarySmtpAddress: null,
    capabilities: null,
    profile: "Default",
    suggestedProfile: null,
    suggestedProfileId: null,
    placement: null,
    httpStatus: 200,
    attempts: 1,
    durationMs: 5,
    steps: [],
    checkedAt: new Date().toISOString(),
  };
}

export function profileItem(partial: Partial<ConnectionProfileListItemDto> = {}): ConnectionProfileListItemDto {
  return {
    id: "profile-default",
    name: "Default",
    isDefault: true,
    accessType: "ews_basic_impersonation",
    userCount: 0,
    lastCheck: null,
    version: 1,
    updatedAt: null,
    ...partial,
  };
}

/** GET …/results as the server answers it: one page of the items matching the category or severity asked for. */
export function resultsAnswer(items: CheckResultDto[]): (request: SentRequest) => RouteAnswer {
  return (request) => {
    const category = request.query.get("category");
    const severity = request.query.get("severity");
    const matching = items.filter(
      (item) => (category === null || item.category === category) && (severity === null || item.severity === severity),
    );
    return { body: { items: matching, nextCursor: null } };
  };
}

export function canary(address: string, id = `canary-${address.split("@")[0]}`): CanaryDto {
  return { id, address, addedBy: "megan.bowen@contoso.lab", addedAt: "2026-12-01T09:00:00.000Z" };
}

/** GET …/canaries: none by default, so views that do not test canaries show an empty section. */
export function canaryList(partial: Partial<CanaryListDto> = {}): CanaryListDto {
  return { items: [], suggestions: [], max: 10, ...partial };
}

/** GET …/canaries/suggestions: a listed, empty directory by default. */
export function directorySuggestions(
  partial: Partial<CanaryDirectorySuggestionsDto> = {},
): CanaryDirectorySuggestionsDto {
  return { listed: true, reason: null, items: [], truncated: false, ...partial };
}

export function canaryVerdict(
  address: string,
  verdict: CanaryVerdictDto["verdict"],
  partial: Partial<CanaryVerdictDto> = {},
): CanaryVerdictDto {
  return {
    address,
    verdict,
    category: verdict === "leaked" ? "scope_leak" : verdict === "refused" ? "impersonation_denied" : "user_not_found",
    leaked: verdict === "leaked" ? ["mail", "calendar"] : [],
    cause: null,
    remedy: null,
    detail: null,
    checkedAt: "2026-12-01T09:05:00.000Z",
    ...partial,
  };
}
