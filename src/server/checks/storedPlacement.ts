/**
 * A check result's placement as stored (check_results.placement_json, migration 029). Rows written before the one
 * MailboxPlace id (contract/exchangeOnline.ts) say "cloud" for Exchange Online: read as exchange_online, so old
 * results keep their remedy and their suggestion.
 */
import { MAILBOX_PLACES, type MailboxPlace } from "../../contract/exchangeOnline.js";
import type { MailboxPlacement } from "../exchange/driver.js";

export function storedPlace(value: unknown): MailboxPlace | null {
  if (value === "cloud") return "exchange_online";
  return (MAILBOX_PLACES as readonly unknown[]).includes(value) ? (value as MailboxPlace) : null;
}

/** Null for no placement, or one this version cannot read (it then says nothing about where the mailbox lives). */
export function placementFromJson(json: string | null | undefined): MailboxPlacement | null {
  if (json == null) return null;
  const stored = JSON.parse(json) as { where?: unknown; evidence?: unknown } | null;
  const where = storedPlace(stored?.where);
  if (where === null) return null;
  return { where, evidence: typeof stored?.evidence === "string" ? stored.evidence : "" };
}
