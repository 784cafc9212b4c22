/**
 * Vitest global setup: says once, at the top of the run, which groups of tests this machine cannot run and why
 * (the tests themselves only show up as "skipped" in the counts). Under CI=true a missing prerequisite is a failure
 * instead, raised by the same checks the tests use.
 */
import { postgresUnavailableReason } from "../support/postgres.js";
import { referenceAvailability } from "../support/sharedReference.js";

export default async function reportSkipReasons(): Promise<void> {
  // Every project inherits this setup; the run is one process, so the first project reports for all.
  if (process.env.SYNC_SIDEBAR_SKIPS_REPORTED) return;
  process.env.SYNC_SIDEBAR_SKIPS_REPORTED = "1";
  const reasons: string[] = [];
  const reference = referenceAvailability();
  if (!reference.available) reasons.push(reference.reason);
  const postgres = await postgresUnavailableReason();
  if (postgres !== null) {
    if (process.env.CI === "true") throw new Error(`CI requires PostgreSQL: ${postgres}`);
    reasons.push(`${postgres}; the PostgreSQL tests are skipped (set TEST_DATABASE_URL)`);
  }
  if (process.platform !== "linux") reasons.push("not on Linux: the sideload test of the Linux refusal is skipped");
  for (const reason of reasons) console.warn(`skipped in this run: ${reason}`);
}
