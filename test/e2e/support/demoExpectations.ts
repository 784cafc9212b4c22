/** What a check of the demo lab's users must show, derived from the lab's own expectations (src/lab/expectations). */
import { CATEGORY_LABELS } from "../../../src/contract/labels.js";
import type { CategoryId } from "../../../src/contract/categories.js";
import { expectedEwsOutcome, type Scenario } from "../../../src/lab/index.js";

/** EWS answers of the demo lab → the product's categories (src/contract/categories.ts). */
const CATEGORY_OF_CODE: Record<string, string> = {
  NoError: "ok",
  ErrorImpersonateUserDenied: "impersonation_denied",
  ErrorImpersonationFailed: "impersonation_failed",
  ErrorNonExistentMailbox: "no_mailbox",
  ErrorAccountDisabled: "account_disabled",
  ErrorMailboxMoveInProgress: "mailbox_moving",
  ErrorMailboxStoreUnavailable: "mailbox_store_unavailable",
  ErrorNonPrimarySmtpAddress: "non_primary_address",
};

/** Users per category when `users` (default: every user of the scenario) are checked through `serviceAccount`. */
export function expectedCategoryCounts(
  scenario: Scenario,
  serviceAccount: string,
  users: readonly string[] = scenario.users.map((user) => user.email),
): Record<string, number> {
  // Authentication left on Automatic signs in with NTLM wherever the lab offers it, as on a default server.
  const kind = scenario.ewsAuth.includes("ntlm") ? "ntlm" : "basic";
  const counts: Record<string, number> = {};
  for (const user of users) {
    const outcome = expectedEwsOutcome(scenario, { kind, serviceAccount }, user);
    const category = CATEGORY_OF_CODE[outcome.responseCode ?? ""] ?? `unmapped:${outcome.responseCode}`;
    counts[category] = (counts[category] ?? 0) + 1;
  }
  return counts;
}

/** Counts per category as the pane's chips show them: by the category's label (src/contract/labels.ts). */
export function byLabel(counts: Record<string, number>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(counts).map(([category, count]) => [CATEGORY_LABELS[category as CategoryId] ?? category, count]),
  );
}
