/**
 * Canaries: mailboxes that lie outside the organization's scope on purpose. Every check run (and every scheduled
 * re-check) probes each one exactly as it checks a user, at the run's depth, and expects to be refused. A canary the
 * service account or app can read proves the scope leaks (category `scope_leak`): a grant added elsewhere (a
 * tenant-wide consent in Entra ID, an unscoped role assignment, ApplicationImpersonation without a management scope)
 * widened what it reaches.
 *
 * Routes (admins only; answers scoped to the org):
 *   GET    /api/orgs/{orgId}/canaries                CanaryListDto (the canaries, and what the pane suggests)
 *   POST   /api/orgs/{orgId}/canaries                CanaryInput → 201 CanaryDto
 *   DELETE /api/orgs/{orgId}/canaries/{canaryId}     204
 *   GET    /api/orgs/{orgId}/canaries/suggestions    CanaryDirectorySuggestionsDto (directory mailboxes to pick from)
 *   GET    /api/orgs/{orgId}/checks/{runId}/canaries { items: CanaryVerdictDto[] } (the run's canary probes)
 */
import type { CategoryId } from "./categories.js";

/** At most this many canaries per organization: each is probed in every run. */
export const MAX_CANARIES = 10;

export interface CanaryInput {
  address: string;
}

export interface CanaryDto {
  id: string;
  address: string;
  addedBy: string;
  addedAt: string;
}

/** What the pane offers to add: a dedicated mailbox created for the purpose, with the line that creates it. */
export interface CanarySuggestionDto {
  address: string;
  /** Why this one: "a dedicated mailbox nobody uses". */
  reason: string;
  /** The one-line PowerShell that creates it (Exchange Online or Exchange Management Shell). */
  powershell: string | null;
}

export interface CanaryListDto {
  items: CanaryDto[];
  suggestions: CanarySuggestionDto[];
  max: number;
}

/** At most this many directory mailboxes are suggested. */
export const MAX_DIRECTORY_SUGGESTIONS = 20;

/** A mailbox of the directory that is none of the organization's users, not an alias of one, and not a canary yet. */
export interface CanaryDirectorySuggestionDto {
  address: string;
  displayName: string | null;
  /** The connection profile whose directory listed it; only when the organization has several profiles. */
  profile?: string;
}

/**
 * The directory's mailboxes outside the organization's users, read through each configured profile (Graph `/users`
 * or EWS ResolveNames). When no directory can be read, `listed` is false and `reason` says why in the admin's words;
 * the dedicated mailbox of CanaryListDto.suggestions stays the way to go. When some profiles listed and others could
 * not, `listed` is true and `reason` says why for each that could not ("Profile Cloud: …").
 */
export interface CanaryDirectorySuggestionsDto {
  listed: boolean;
  reason: string | null;
  items: CanaryDirectorySuggestionDto[];
  /** The directory held more than was read (EWS ResolveNames stops at 100 entries; Graph at the page limit). */
  truncated: boolean;
}

/** A capability the probe could use on the canary (it should have been refused). */
export type LeakedCapability = "mail" | "calendar" | "drafts";

/**
 * refused: the boundary holds (the answer a user outside the scope gets);
 * leaked: the canary was readable (`scope_leak`);
 * inconclusive: the probe proves nothing either way (no mailbox, not found, the server did not answer).
 */
export type CanaryVerdict = "refused" | "leaked" | "inconclusive";

export interface CanaryVerdictDto {
  address: string;
  verdict: CanaryVerdict;
  /** `scope_leak` when leaked; otherwise the category the probe answered (e.g. graph_scope_denied). */
  category: CategoryId;
  leaked: LeakedCapability[];
  /** The likely cause of a leak, in the admin's words; null unless leaked. */
  cause: string | null;
  /** How to close it; null unless leaked. */
  remedy: string | null;
  /** What the server answered, for the admin to read. */
  detail: string | null;
  checkedAt: string;
}
