/**
 * The organization's canaries as the API and the check runs reach them. A canary lies outside the scope on purpose:
 * never one of the organization's users, at most MAX_CANARIES, each audited as it is added or removed.
 */
import { randomUUID } from "node:crypto";
import {
  MAX_CANARIES,
  MAX_DIRECTORY_SUGGESTIONS,
  type CanaryDirectorySuggestionsDto,
  type CanaryDto,
  type CanaryListDto,
  type CanarySuggestionDto,
} from "../../contract/canaries.js";
import { categoryLabel } from "../../contract/labels.js";
import { configurationForRun, type UrlGuard } from "../emailConfig/service.js";
import type { ResolvedEmailConfig } from "../exchange/config.js";
import type { DirectoryListing, MailboxDriver } from "../exchange/driver.js";
import { principalOf } from "./probe.js";
import { recordAudit } from "../audit/service.js";
import { conflict, notFound, unprocessable } from "../errors.js";
import { organizationOf } from "../orgs/service.js";
import type { Repositories } from "../repositories.js";

export const DEDICATED_CANARY_LOCAL_PART = "sync-canary";

/** The mail domain most of the organization's users share (the dedicated canary's domain), or null with no users. */
function mainDomainOf(emails: Iterable<string>): string | null {
  const counts = new Map<string, number>();
  for (const email of emails) {
    const domain = email.split("@")[1];
    if (domain !== undefined && domain !== "") counts.set(domain, (counts.get(domain) ?? 0) + 1);
  }
  let best: string | null = null;
  for (const [domain, count] of counts) if (best === null || count > (counts.get(best) ?? 0)) best = domain;
  return best;
}

/** The PowerShell line that creates the dedicated canary: a shared mailbox (no licence, nobody signs in to it). */
export function dedicatedCanaryPowerShell(address: string): string {
  return `New-Mailbox -Shared -Name "Sync Sidebar canary" -DisplayName "Sync Sidebar canary (must stay out of reach)" -PrimarySmtpAddress ${address}`;
}

export async function canaryList(repos: Repositories, orgId: string): Promise<CanaryListDto> {
  if ((await organizationOf(repos, orgId)) === null) throw notFound("Organization");
  const [items, emails] = await Promise.all([repos.canaries.list(orgId), repos.users.emailsOf(orgId)]);
  const suggestions: CanarySuggestionDto[] = [];
  const domain = mainDomainOf(emails);
  if (domain !== null) {
    const address = `${DEDICATED_CANARY_LOCAL_PART}@${domain}`;
    if (!items.some((canary) => canary.address === address)) {
      suggestions.push({
        address,
        reason: "A dedicated shared mailbox nobody uses, kept outside the scope on purpose.",
        powershell: dedicatedCanaryPowerShell(address),
      });
    }
  }
  return { items, suggestions, max: MAX_CANARIES };
}

export async function addCanary(
  repos: Repositories,
  orgId: string,
  address: string,
  actor: string,
  now: Date,
): Promise<CanaryDto> {
  const normalized = address.trim().toLowerCase();
  if ((await organizationOf(repos, orgId)) === null) throw notFound("Organization");
  return repos.transaction(async (tx) => {
    if ((await tx.users.findByEmail(orgId, normalized)) !== null) {
      throw unprocessable([
        {
          field: "address",
          message: `${normalized} is a user of this organization: a canary must lie outside the scope (remove the user first, or pick another mailbox)`,
        },
      ]);
    }
    if ((await tx.canaries.findByAddress(orgId, normalized)) !== null) {
      throw conflict(`${normalized} is already a canary of this organization.`, [
        { field: "address", message: "is already a canary of this organization" },
      ]);
    }
    if ((await tx.canaries.count(orgId)) >= MAX_CANARIES) {
      throw unprocessable([
        { field: "address", message: `cannot be added: an organization has at most ${MAX_CANARIES} canaries` },
      ]);
    }
    const canary: CanaryDto = { id: randomUUID(), address: normalized, addedBy: actor, addedAt: now.toISOString() };
    await tx.canaries.add(orgId, canary);
    await recordAudit(tx, { orgId, actor, action: "canary.add", target: canary.id, after: { address: normalized } });
    return canary;
  });
}

export async function removeCanary(repos: Repositories, orgId: string, canaryId: string, actor: string): Promise<void> {
  await repos.transaction(async (tx) => {
    const removed = await tx.canaries.remove(orgId, canaryId);
    if (removed === null) throw notFound("Canary");
    await recordAudit(tx, {
      orgId,
      actor,
      action: "canary.remove",
      target: canaryId,
      before: { address: removed.address },
    });
  });
}

/** Directory entries read to find MAX_DIRECTORY_SUGGESTIONS outside the organization's users. */
const DIRECTORY_READ = 200;

export interface DirectoryDeps {
  guardUrl: UrlGuard;
  driverFor: (orgId: string, config: ResolvedEmailConfig) => MailboxDriver;
  /** Bounds the whole listing: the pane waits for it. */
  timeoutMs: number;
}

/** Why the directory could not be read, in the admin's words. */
function unreadable(listing: Extract<DirectoryListing, { ok: false }>, accessType: string): string {
  const answer = `${categoryLabel(listing.category)}${listing.detail === undefined ? "" : `: ${listing.detail}`}`;
  if (listing.category === "graph_scope_denied" || listing.category === "forbidden") {
    return accessType === "graph_app_only"
      ? `The app may not list the directory's users (${answer}); grant it User.Read.All with admin consent, or add a canary by its address.`
      : `The service account may not search the directory (${answer}); add a canary by its address.`;
  }
  return `The directory could not be read (${answer}); add a canary by its address.`;
}

/**
 * Mailboxes of the directory a canary could be, read through the saved configuration (the default profile): none of
 * the organization's users, no alias of one (a mailbox answering to a user's address), no canary yet, not the service
 * account itself; at most MAX_DIRECTORY_SUGGESTIONS. A directory that cannot be read is a reason, never an error.
 */
export async function canaryDirectorySuggestions(
  repos: Repositories,
  orgId: string,
  deps: DirectoryDeps,
  signal: AbortSignal,
): Promise<CanaryDirectorySuggestionsDto> {
  if ((await organizationOf(repos, orgId)) === null) throw notFound("Organization");
  const unlisted = (reason: string): CanaryDirectorySuggestionsDto => ({
    listed: false,
    reason,
    items: [],
    truncated: false,
  });
  const resolution = await configurationForRun(repos, orgId, undefined, deps.guardUrl);
  if (!resolution.ok) {
    const saved = resolution.errors[0]?.field !== "draft";
    return unlisted(
      saved
        ? `The saved email configuration is not complete (${resolution.errors[0]?.field ?? ""} ${resolution.errors[0]?.message ?? ""}): the directory is read through it.`
        : "No email configuration is saved yet: the directory is read through it. Save one, or add a canary by its address.",
    );
  }
  const { config } = resolution;
  const listing = await deps
    .driverFor(orgId, config)
    .listDirectory(AbortSignal.any([signal, AbortSignal.timeout(deps.timeoutMs)]), DIRECTORY_READ)
    .catch((error: unknown): DirectoryListing => ({
      ok: false,
      category: "timeout",
      detail: error instanceof Error ? error.message : String(error),
    }));
  if (!listing.ok) return unlisted(unreadable(listing, config.accessType));

  const [emails, canaries] = await Promise.all([repos.users.emailsOf(orgId), repos.canaries.list(orgId)]);
  const taken = new Set<string>([
    ...[...emails].map((email) => email.toLowerCase()),
    ...canaries.map((canary) => canary.address),
    principalOf(config).toLowerCase(),
  ]);
  const items: CanaryDirectorySuggestionsDto["items"] = [];
  const seen = new Set<string>();
  for (const mailbox of listing.mailboxes) {
    const address = mailbox.address.toLowerCase();
    const addresses = [address, ...mailbox.otherAddresses.map((other) => other.toLowerCase())];
    if (seen.has(address) || addresses.some((one) => taken.has(one))) continue;
    seen.add(address);
    if (items.length === MAX_DIRECTORY_SUGGESTIONS) {
      return { listed: true, reason: null, items, truncated: true };
    }
    items.push({ address, displayName: mailbox.displayName });
  }
  return { listed: true, reason: null, items, truncated: listing.truncated };
}
