/**
 * The one email address rule (the API, importers, the pane and the RBAC script agree on it). An address must be
 * exactly what every downstream encoder carries unchanged: the EWS XML envelope, the X-AnchorMailbox header, a
 * PowerShell literal, a URL parameter. So it is ASCII only: RFC 6531/6532 internationalized addresses are refused
 * with a reason, because HTTP header values (X-AnchorMailbox) carry no UTF-8 and Exchange gives every mailbox an
 * ASCII primary SMTP address to check instead. Otherwise a dot-atom local part (RFC 5322) and a host-name domain.
 */
import { describeFinding, findCharacter, type CharacterKind } from "./characters.js";

/** RFC 5321: a path is at most 256 octets including the angle brackets. */
export const MAX_EMAIL_ADDRESS_LENGTH = 254;
const MAX_LOCAL_PART = 64;
const MAX_DOMAIN = 253;

const REFUSED: ReadonlySet<CharacterKind> = new Set([
  "control",
  "line_separator",
  "bidi_control",
  "invisible",
  "lone_surrogate",
  "noncharacter",
  "whitespace",
  "non_ascii",
]);

/** RFC 5322 atext: what a dot-atom local part may hold besides dots. */
const ATEXT = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]$/;
const LABEL = /^[A-Za-z0-9-]+$/;

const NON_ASCII_HINT =
  "; internationalized addresses (RFC 6531) are not supported, use the mailbox's ASCII address (a domain in its xn-- form)";

/** What is wrong with `value` as an email address, as a sentence naming the character or part; null when valid. */
export function emailAddressProblem(value: string): string | null {
  if (value === "") return "is empty";
  const finding = findCharacter(value, REFUSED);
  if (finding) return describeFinding(finding) + (finding.kind === "non_ascii" ? NON_ASCII_HINT : "");
  if (value.length > MAX_EMAIL_ADDRESS_LENGTH) return `is longer than ${MAX_EMAIL_ADDRESS_LENGTH} characters`;
  const at = value.indexOf("@");
  if (at < 0) return "has no @";
  if (value.indexOf("@", at + 1) >= 0) return `has a second @ at position ${value.indexOf("@", at + 1) + 1}`;
  const local = value.slice(0, at);
  const domain = value.slice(at + 1);
  return localPartProblem(local) ?? domainProblem(domain, at + 1);
}

export function isEmailAddress(value: string): boolean {
  return emailAddressProblem(value) === null;
}

function localPartProblem(local: string): string | null {
  if (local === "") return "has nothing before the @";
  if (local.length > MAX_LOCAL_PART) return `has more than ${MAX_LOCAL_PART} characters before the @`;
  for (let index = 0; index < local.length; index += 1) {
    const character = local[index]!;
    if (character !== "." && !ATEXT.test(character)) return `contains "${character}" at position ${index + 1}`;
  }
  if (local.startsWith(".") || local.endsWith(".")) return "has a dot at the start or end of the part before the @";
  if (local.includes("..")) return `has two dots in a row at position ${local.indexOf("..") + 1}`;
  return null;
}

function domainProblem(domain: string, offset: number): string | null {
  if (domain === "") return "has nothing after the @";
  if (domain.length > MAX_DOMAIN) return `has a domain longer than ${MAX_DOMAIN} characters`;
  const labels = domain.split(".");
  if (labels.length < 2) return "has a domain without a dot (such as contoso.com)";
  let position = offset;
  for (const label of labels) {
    if (label === "") return `has an empty label in its domain at position ${position + 1}`;
    if (!LABEL.test(label)) {
      const index = [...label].findIndex((character) => !LABEL.test(character));
      return `contains "${label[index] ?? ""}" at position ${position + index + 1}, which a domain cannot carry`;
    }
    if (label.length > 63) return "has a domain label longer than 63 characters";
    if (label.startsWith("-") || label.endsWith("-")) return `has a domain label starting or ending with "-"`;
    position += label.length + 1;
  }
  return null;
}
