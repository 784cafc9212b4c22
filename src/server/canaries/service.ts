/**
 * The organization's canaries as the API and the check runs reach them. A canary lies outside the scope on purpose:
 * never one of the organization's users, at most MAX_CANARIES, each audited as it is added or removed.
 */
import { randomUUID } from "node:crypto";
import {
  MAX_CANARIES,
  MAX_DIRECTORY_SUGGESTIONS,
  type CanaryDirectorySuggestionDto,
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
  /** `profileId`: the profile whose EWS OAuth token cache the driver keeps (absent: the default profile's). */
  driverFor: (orgId: string, config: ResolvedEmailConfig, profileId?: string) => MailboxDriver;
  /** Bounds each profile's listing (they run side by side): the pane waits for it. */
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

/** One profile's listing: its mailboxes and its service principal, or why it could not list. */
type ProfileListing =
  | { ok: true; profile: string; mailboxes: DirectoryListing & { ok: true }; principal: string }
  | { ok: false; profile: string; reason: string };

async function listThrough(
  repos: Repositories,
  orgId: string,
  profile: { profileId: string; name: string } | null,
  deps: DirectoryDeps,
  signal: AbortSignal,
): Promise<ProfileListing> {
  const name = profile?.name ?? "";
  const resolution = await configurationForRun(repos, orgId, undefined, deps.guardUrl, profile?.profileId);
  if (!resolution.ok) {
    const saved = resolution.errors[0]?.field !== "draft";
    return {
      ok: false,
      profile: name,
      reason: saved
        ? `The saved email configuration is not complete (${resolution.errors[0]?.field ?? ""} ${resolution.errors[0]?.message ?? ""}): the directory is read through it.`
        : "No email configuration is saved yet: the directory is read through it. Save one, or add a canary by its address.",
    };
  }
  const { config } = resolution;
  const listing = await deps
    .driverFor(orgId, config, profile?.profileId)
    .listDirectory(AbortSignal.any([signal, AbortSignal.timeout(deps.timeoutMs)]), DIRECTORY_READ)
    .catch((error: unknown): DirectoryListing => ({
      ok: false,
      category: "timeout",
      detail: error instanceof Error ? error.message : String(error),
    }));
  if (!listing.ok) return { ok: false, profile: name, reason: unreadable(listing, config.accessType) };
  return { ok: true, profile: name, mailboxes: listing, principal: principalOf(config).toLowerCase() };
}

/**
 * Mailboxes of the directory a canary could be, read through every configured profile side by side (a hybrid
 * organization's on-premises directory and Exchange Online's differ): none of the organization's users, no alias of
 * one (a mailbox answering to a user's address), no canary yet, no profile's service account; each address once,
 * taken from the profiles in turn (the default first), naming the profile that found it when there are several; at
 * most MAX_DIRECTORY_SUGGESTIONS. A directory that cannot be read is a reason, never an error, and never hides what
 * the other profiles listed.
 */
export async function canaryDirectorySuggestions(
  repos: Repositories,
  orgId: string,
  deps: DirectoryDeps,
  signal: AbortSignal,
): Promise<CanaryDirectorySuggestionsDto> {
  if ((await organizationOf(repos, orgId)) === null) throw notFound("Organization");
  const profiles = await repos.emailConfigs.list(orgId);
  const several = profiles.length > 1;
  // A profile never set up lists nothing and says nothing, unless none is set up (the reason then tells what to do).
  const configured = profiles.filter((profile) => profile.accessType !== null);
  const through: Array<{ profileId: string; name: string } | null> =
    several && configured.length > 0 ? configured : [profiles[0] ?? null];
  const listings = await Promise.all(through.map((profile) => listThrough(repos, orgId, profile, deps, signal)));
  const failures = listings.filter((listing): listing is ProfileListing & { ok: false } => !listing.ok);
  const reason =
    failures.length === 0
      ? null
      : failures
          .map((failure) => (several ? `Profile ${failure.profile}: ${failure.reason}` : failure.reason))
          .join(" ");
  const listed = listings.filter((listing): listing is ProfileListing & { ok: true } => listing.ok);
  if (listed.length === 0) return { listed: false, reason, items: [], truncated: false };

  const [emails, canaries] = await Promise.all([repos.users.emailsOf(orgId), repos.canaries.list(orgId)]);
  const taken = new Set<string>([
    ...[...emails].map((email) => email.toLowerCase()),
    ...canaries.map((canary) => canary.address),
    ...listed.map((listing) => listing.principal),
  ]);
  // An address listed by several profiles is the first profile's (the default first): found through it.
  const finder = new Map<string, number>();
  const candidates = listed.map((listing, position) =>
    listing.mailboxes.mailboxes.flatMap((mailbox) => {
      const address = mailbox.address.toLowerCase();
      const addresses = [address, ...mailbox.otherAddresses.map((other) => other.toLowerCase())];
      if (finder.has(address) || addresses.some((one) => taken.has(one))) return [];
      finder.set(address, position);
      const item: CanaryDirectorySuggestionDto = { address, displayName: mailbox.displayName };
      if (several) item.profile = listing.profile;
      return [item];
    }),
  );
  // Then one from each profile in turn, so every directory shows within MAX_DIRECTORY_SUGGESTIONS.
  const items: CanaryDirectorySuggestionDto[] = [];
  const truncated = listed.some((listing) => listing.mailboxes.truncated);
  for (let index = 0; candidates.some((list) => index < list.length); index += 1) {
    for (const item of candidates.flatMap((list) => list.slice(index, index + 1))) {
      if (items.length === MAX_DIRECTORY_SUGGESTIONS) return { listed: true, reason, items, truncated: true };
      items.push(item);
    }
  }
  return { listed: true, reason, items, truncated };
}
