/** How a canary's verdict reads in the pane (the check's results and the attestation alike). */
import type { BadgeProps } from "@fluentui/react-components";
import type { CanaryVerdict, CanaryVerdictDto, LeakedCapability } from "../../../contract/canaries";
import { categoryLabel } from "../../../contract/labels";

export const VERDICT_WORDS: Record<CanaryVerdict, string> = {
  leaked: "Readable",
  inconclusive: "Inconclusive",
  refused: "Refused",
};

export const VERDICT_COLOR: Record<CanaryVerdict, NonNullable<BadgeProps["color"]>> = {
  leaked: "danger",
  inconclusive: "warning",
  refused: "success",
};

/** Leaks first: they are the finding; then what proved nothing; then the boundaries that held. */
const VERDICT_RANK: Record<CanaryVerdict, number> = { leaked: 0, inconclusive: 1, refused: 2 };

export function byVerdict(verdicts: readonly CanaryVerdictDto[]): CanaryVerdictDto[] {
  return [...verdicts].sort(
    (a, b) => VERDICT_RANK[a.verdict] - VERDICT_RANK[b.verdict] || a.address.localeCompare(b.address),
  );
}

const CAPABILITY_WORDS: Record<LeakedCapability, string> = { mail: "mail", calendar: "calendar", drafts: "drafts" };

/** "mail and calendar": what the probe could read. */
export function leakedWords(leaked: readonly LeakedCapability[]): string {
  const words = leaked.map((capability) => CAPABILITY_WORDS[capability]);
  if (words.length <= 1) return words[0] ?? "the mailbox";
  return `${words.slice(0, -1).join(", ")} and ${words[words.length - 1]}`;
}

/** One sentence per verdict: what the probe proves, with the answer it got. */
export function verdictSentence(verdict: CanaryVerdictDto): string {
  switch (verdict.verdict) {
    case "leaked":
      return `Its ${leakedWords(verdict.leaked)} could be read: the access reaches a mailbox outside the scope.`;
    case "refused":
      return `The server refused it (${categoryLabel(verdict.category)}): the boundary holds for this mailbox.`;
    case "inconclusive":
      return `The probe proves nothing either way (${categoryLabel(verdict.category)}): make sure the mailbox exists and run the check again.`;
  }
}
