import type { MailboxStatusDto } from "../../../contract/api";

export interface MonitoringLine {
  /** When the mailbox was last checked: an ISO time, null for "not yet", undefined when the backend does not say. */
  lastCheckedAt: string | null | undefined;
  /** Whether checks run on a schedule; undefined when the backend does not say. */
  scheduled: boolean | undefined;
}

/** What the card can say about monitoring, only from fields the backend actually sent. */
export function monitoringLine(value: MailboxStatusDto): MonitoringLine {
  // A backend from before monitoring sends no `monitoring`.
  const sent: MailboxStatusDto["monitoring"] | undefined = value.monitoring;
  const lastCheckedAt =
    typeof sent?.lastCheckedAt === "string" || sent?.lastCheckedAt === null ? sent.lastCheckedAt : undefined;
  const scheduled = typeof sent?.scheduled === "boolean" ? sent.scheduled : undefined;
  return { lastCheckedAt, scheduled };
}
