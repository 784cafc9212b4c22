/**
 * The organization's canaries as the API and the check runs reach them. A canary lies outside the scope on purpose:
 * never one of the organization's users, at most MAX_CANARIES, each audited as it is added or removed.
 */
import { randomUUID } from "node:crypto";
import { MAX_CANARIES, type CanaryDto, type CanaryListDto, type CanarySuggestionDto } from "../../contract/canaries.js";
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
