/**
 * The audit trail as other domains and the routes reach it: record an event (inside the caller's transaction when
 * given one, so a change and its event commit together), ask whether one exists, read a page, export all as CSV.
 */
import type { AuditEventDto, Page } from "../../contract/api.js";
import { csvRow } from "../http/csv.js";
import type { Repositories } from "../repositories.js";
import type { AuditEvent, NewAuditEvent } from "./repository.js";

export type { NewAuditEvent } from "./repository.js";

/** The CSV export stops here; an organization with more events pages through the JSON route. */
const CSV_MAX_EVENTS = 100_000;

type AuditStore = Pick<Repositories, "audit">;

/** Records one event through `repos` (a transaction's repositories to commit with the change it describes). */
export function recordAudit(repos: AuditStore, event: NewAuditEvent): Promise<AuditEvent> {
  return repos.audit.record(event);
}

export function hasAuditEvent(repos: AuditStore, orgId: string, action: string, actor: string): Promise<boolean> {
  return repos.audit.has(orgId, action, actor);
}

function toDto(event: AuditEvent): AuditEventDto {
  return {
    id: event.id,
    at: event.at,
    actor: event.actor,
    action: event.action,
    target: event.target,
    before: event.before,
    after: event.after,
  };
}

/** Newest first, cursor-paged. */
export async function auditPage(
  repos: AuditStore,
  orgId: string,
  options: { cursor?: string | undefined; limit: number },
): Promise<Page<AuditEventDto>> {
  const page = await repos.audit.list(orgId, {
    ...(options.cursor !== undefined ? { cursor: options.cursor } : {}),
    limit: options.limit,
  });
  return { items: page.items.map(toDto), nextCursor: page.nextCursor };
}

/** The whole trail (up to CSV_MAX_EVENTS) as CSV: at,actor,action,target,before,after. */
export async function auditCsv(repos: AuditStore, orgId: string): Promise<string> {
  const lines = [csvRow(["at", "actor", "action", "target", "before", "after"])];
  let cursor: string | undefined;
  let count = 0;
  do {
    const page = await repos.audit.list(orgId, { ...(cursor !== undefined ? { cursor } : {}), limit: 1000 });
    for (const event of page.items) {
      lines.push(
        csvRow([
          event.at,
          event.actor,
          event.action,
          event.target ?? "",
          event.before === null ? "" : JSON.stringify(event.before),
          event.after === null ? "" : JSON.stringify(event.after),
        ]),
      );
    }
    count += page.items.length;
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined && count < CSV_MAX_EVENTS);
  return lines.join("");
}
