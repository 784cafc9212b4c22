/**
 * The password rule: any character a person can type, but no NUL (C strings and the NTLM hash stop there, so the
 * password sent would not be the one typed) and no unpaired surrogate (it has no UTF-8 encoding: Basic and NTLM would
 * send U+FFFD instead). The refusal names the character and its position, never the password.
 */
import { describeFinding, findCharacter, type CharacterKind } from "./characters.js";

const NEVER_IN_PASSWORD: ReadonlySet<CharacterKind> = new Set(["lone_surrogate"]);

/** What is wrong with `value` as a password, as a sentence; null when valid (blank is the caller's call). */
export function passwordProblem(value: string): string | null {
  const nul = value.indexOf("\u0000");
  if (nul !== -1) return `contains NUL (U+0000) at position ${[...value.slice(0, nul)].length + 1}`;
  const finding = findCharacter(value, NEVER_IN_PASSWORD);
  return finding === null ? null : describeFinding(finding);
}

export function isPassword(value: string): boolean {
  return passwordProblem(value) === null;
}
