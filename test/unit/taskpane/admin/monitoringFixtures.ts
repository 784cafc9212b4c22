import type {
  AlertChannelsDto,
  AlertSettingsDto,
  MonitoringScheduleDto,
  RunHistoryEntryDto,
  StatusChangeDto,
} from "../../../../src/contract/monitoring";

export const BASE = "/api/orgs/org-1/monitoring";

export function historyEntry(
  runId: string,
  startedAt: string,
  health: RunHistoryEntryDto["health"],
  partial: Partial<RunHistoryEntryDto> = {},
): RunHistoryEntryDto {
  const total = health.connected + health.needsAttention + health.failing;
  return {
    runId,
    trigger: "scheduled",
    state: "completed",
    startedAt,
    finishedAt: startedAt,
    total,
    counts: { ok: health.connected },
    severityCounts: { ok: health.connected, warning: health.needsAttention, error: health.failing, transient: 0 },
    health,
    stopReason: null,
    ...partial,
  };
}

export function statusChange(
  partial: Partial<StatusChangeDto> & Pick<StatusChangeDto, "email" | "runId">,
): StatusChangeDto {
  return {
    id: `${partial.runId}-${partial.email}`,
    userId: partial.email,
    change: "started_failing",
    category: "impersonation_denied",
    previousCategory: "ok",
    detail: null,
    at: "2026-12-01T06:01:00.000Z",
    ...partial,
  };
}

export function schedule(partial: Partial<MonitoringScheduleDto> = {}): MonitoringScheduleDto {
  return {
    mode: "off",
    time: "06:00",
    timeZone: "UTC",
    everyHours: 24,
    recheckAfterChange: true,
    settlingMinutes: 120,
    historyDays: 90,
    nextRunAt: null,
    settlingUntil: null,
    updatedBy: null,
    updatedAt: null,
    ...partial,
  };
}

export function alertSettings(partial: Partial<AlertSettingsDto> = {}): AlertSettingsDto {
  return {
    rules: {
      failingShare: { enabled: true, percent: 20 },
      newlyFailing: { enabled: false },
      serviceAccountRefused: { enabled: true },
      serviceAccountSignIn: { enabled: true },
      credentialExpiry: { enabled: true, days: 14 },
      scopeLeak: { enabled: true },
    },
    open: [],
    updatedBy: null,
    updatedAt: null,
    ...partial,
  };
}

export function channels(partial: { webhookUrl?: string | null; hasSecret?: boolean } = {}): AlertChannelsDto {
  return {
    email: { enabled: true, recipients: ["ops@contoso.lab"], smtpConfigured: true },
    webhook: {
      enabled: partial.hasSecret ?? false,
      url: partial.webhookUrl ?? null,
      hasSecret: partial.hasSecret ?? false,
    },
    updatedBy: null,
    updatedAt: null,
  };
}
