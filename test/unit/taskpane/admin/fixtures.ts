import type { EmailConfigDto } from "../../../../src/contract/api";
import type { CheckResultDto, CheckRunDto } from "../../../../src/contract/checks";
import type { ConnectionProfileListItemDto } from "../../../../src/contract/profiles";

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

export function checkRun(partial: Partial<CheckRunDto> = {}): CheckRunDto {
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
    counts: { ok: 2, no_mailbox: 1 },
    severityCounts: { ok: 2, warning: 0, error: 1, transient: 0 },
    preflight: null,
    stopReason: null,
    startedBy: "megan.bowen@contoso.lab",
    trigger: "manual",
    startedAt: new Date().toISOString(),
    finishedAt: new Date().toISOString(),
    etaSeconds: null,
    ...partial,
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
