import { ACCESS_TYPES } from "../../../contract/accessTypes";
import type { ConnectionProfileListItemDto, PlacementSource } from "../../../contract/profiles";
import { ApiError, describeFailure } from "../../backend/errors";
import { asSentence, sentences } from "../../backend/messages";
import { checkedAgo } from "../users/UserStatus";

/** How a user's profile was chosen, as the Users tab says it. */
export const PLACEMENT_SOURCE_WORDS: Readonly<Record<PlacementSource, string>> = {
  explicit: "explicit",
  rule: "rule",
  automatic: "automatic",
  default: "default",
};

export function accessTypeText(profile: ConnectionProfileListItemDto): string {
  return profile.accessType ? ACCESS_TYPES[profile.accessType].label : "Not configured yet";
}

export function usersText(count: number): string {
  return count === 1 ? "1 user" : `${count} users`;
}

/** "Last check 3 h ago: 5 connected, 1 failing", or "Never checked". */
export function lastCheckText(profile: ConnectionProfileListItemDto, now = Date.now()): string {
  const check = profile.lastCheck;
  if (!check) return "Never checked";
  const parts = [
    `${check.ok} connected`,
    check.warning > 0 ? `${check.warning} need attention` : null,
    check.failing > 0 ? `${check.failing} failing` : null,
    check.neverChecked > 0 ? `${check.neverChecked} never checked` : null,
  ].filter((part): part is string => part !== null);
  return `Last check ${checkedAgo(check.checkedAt, now)}: ${parts.join(", ")}`;
}

function rawFieldMessage(error: unknown, field: string): string | null {
  if (!(error instanceof ApiError)) return null;
  return error.problem.errors?.find((entry) => entry.field === field)?.message ?? null;
}

/** The server's verdict on a profile name, to show at the name field; null when the failure is about something else. */
export function nameError(error: unknown): string | null {
  const raw = rawFieldMessage(error, "name");
  if (raw === null) return null;
  // 409: the title names the profile holding the name; 422: the rule the name breaks.
  return error instanceof ApiError && error.status === 409 ? error.message.trim() : asSentence(`The name ${raw}`);
}

/**
 * Why a profile could not be deleted, in words: the server's sentence ("12 users are checked through “Cloud”.")
 * and what to do, taken from its field message ("still checks 12 users: move them to another profile first").
 */
export function deleteRefusal(error: unknown): string {
  const raw = rawFieldMessage(error, "profileId");
  if (error instanceof ApiError && raw !== null) {
    const todo = raw.includes(": ") ? raw.slice(raw.indexOf(": ") + 2) : null;
    // The server's sentence stands as written (it may end on a quoted name and its full stop).
    return todo ? `${error.message.trim()} ${asSentence(todo)}` : error.message.trim();
  }
  const failure = describeFailure(error);
  return sentences(failure.title, failure.action);
}
