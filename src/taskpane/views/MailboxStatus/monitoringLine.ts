import type { MailboxStatusDto } from "../../../contract/api";
import type { MailboxMonitoringDto } from "../../../contract/monitoring";

/** The mailbox status as a backend with monitoring answers it: MailboxMonitoringDto's fields beside the rest. */
export type MailboxStatusWithMonitoring = MailboxStatusDto & Partial<MailboxMonitoringDto>;

export interface MonitoringLine {
  /** When the mailbox was last checked: an ISO time, null for "not yet", undefined when the backend does not say. */
  lastCheckedAt: string | null | undefined;
  /** Whether checks run on a schedule; undefined when the backend does not say. */
  scheduled: boolean | undefined;
}

/** What the card can say about monitoring, only from fields the backend actually sent. */
export function monitoringLine(value: MailboxStatusWithMonitoring): MonitoringLine {
  const lastCheckedAt =
    typeof value.lastCheckedAt === "string" || value.lastCheckedAt === null ? value.lastCheckedAt : undefined;
  const scheduled = typeof value.scheduled === "boolean" ? value.scheduled : undefined;
  return { lastCheckedAt, scheduled };
}
