/**
 * The display-name rule: any script and emoji (joiners and direction marks included), but nothing a terminal,
 * a CSV reader or a bidirectional renderer would act on: control characters (NUL, ESC, …), line separators,
 * bidirectional embeddings, overrides and isolates, unpaired surrogates and noncharacters.
 */
import { NEVER_IN_TEXT, describeFinding, findCharacter } from "./characters.js";

export const MAX_DISPLAY_NAME_LENGTH = 200;

/** What is wrong with `value` as a display name, as a sentence; null when valid (blank is the caller's call). */
export function displayNameProblem(value: string): string | null {
  const finding = findCharacter(value, NEVER_IN_TEXT);
  if (finding) return describeFinding(finding);
  if (value !== "" && value.trim() === "") return "must not be only spaces";
  if (value.length > MAX_DISPLAY_NAME_LENGTH) return `must be at most ${MAX_DISPLAY_NAME_LENGTH} characters`;
  return null;
}

export function isDisplayName(value: string): boolean {
  return displayNameProblem(value) === null;
}
