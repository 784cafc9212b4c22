import type { AuditActionId } from "../../contract/labels.js";
import type { Db } from "../db/database.js";
import type { AuditEventsTable } from "./tables.js";
import { timeOrderedId } from "../db/ids.js";
import { decodeCursor, encodeCursor } from "../db/paging.js";

export interface AuditEvent {
  id: string;
  orgId: string | null;
  at: string;
  actor: string;
  action: string;
  target: string | null;
  before: unknown;
  after: unknown;
}

export interface NewAuditEvent {
  orgId: string | null;
  actor: string;
  /** Only the contract's ids: a new action needs its label there (contract/labels.ts). */
  action: AuditActionId;
  target?: string | null;
  before?: unknown;
  after?: unknown;
}

const SECRET_KEY = /pass(word)?|secret|token|private.?key|credential|authorization|cookie/i;
const REDACTED = "[redacted]";

/** Deep copy with every secret-looking field replaced; audit rows never carry secrets, not even encrypted. */
export function redactSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([key, inner]) => [
        key,
        SECRET_KEY.test(key) && !/^has[A-Z]/.test(key) && inner !== null && typeof inner !== "boolean"
          ? REDACTED
          : redactSecrets(inner),
      ]),
    );
  }
  return value;
}

function toEvent(row: AuditEventsTable): AuditEvent {
  return {
    id: row.id,
    orgId: row.org_id,
    at: row.at,
    actor: row.actor,
    action: row.action,
    target: row.target,
    before: row.before_json === null ? null : (JSON.parse(row.before_json) as unknown),
    after: row.after_json === null ? null : (JSON.parse(row.after_json) as unknown),
  };
}

export function auditEventsRepository(db: Db, now: () => Date) {
  return {
    async record(event: NewAuditEvent): Promise<AuditEvent> {
      const at = now();
      const row: AuditEventsTable = {
        id: timeOrderedId(at.getTime()),
        org_id: event.orgId,
        at: at.toISOString(),
        actor: event.actor,
        action: event.action,
        target: event.target ?? null,
        before_json: event.before === undefined ? null : JSON.stringify(redactSecrets(event.before)),
        after_json: event.after === undefined ? null : JSON.stringify(redactSecrets(event.after)),
      };
      await db.insertInto("audit_events").values(row).execute();
      return toEvent(row);
    },

    /** Whether the organization's trail holds an event of this action by this actor (e.g. a one-time seeding). */
    async has(orgId: string, action: string, actor: string): Promise<boolean> {
      const row = await db
        .selectFrom("audit_events")
        .select("id")
        .where("org_id", "=", orgId)
        .where("action", "=", action)
        .where("actor", "=", actor)
        .limit(1)
        .executeTakeFirst();
      return row !== undefined;
    },

    /** Newest first. */
    async list(orgId: string, options: { cursor?: string; limit: number }) {
      const before = decodeCursor(options.cursor, 2);
      let query = db.selectFrom("audit_events").selectAll().where("org_id", "=", orgId);
      if (before) {
        const [at, id] = before as [string, string];
        query = query.where((eb) => eb.or([eb("at", "<", at), eb.and([eb("at", "=", at), eb("id", "<", id)])]));
      }
      const rows = await query
        .orderBy("at", "desc")
        .orderBy("id", "desc")
        .limit(options.limit + 1)
        .execute();
      const page = rows.slice(0, options.limit);
      const last = page.at(-1);
      return {
        items: page.map(toEvent),
        nextCursor: rows.length > options.limit && last ? encodeCursor([last.at, last.id]) : null,
      };
    },
  };
}

export type AuditEventsRepository = ReturnType<typeof auditEventsRepository>;
