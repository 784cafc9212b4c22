/**
 * What the check runner reads and writes, independent of the database: the repository implements CheckRunStore on
 * Kysely; unit tests use an in-memory one.
 */
import type { CategoryId } from "../../../contract/categories.js";
import type { CheckCapabilitiesDto } from "../../../contract/checks.js";
import type { MailboxPlacement, StepOutcome } from "../../exchange/driver.js";

export interface CheckTargetRow {
  userId: string;
  email: string;
}

export interface CheckResultRecord {
  userId: string;
  email: string;
  category: CategoryId;
  detail: string | null;
  primarySmtpAddress: string | null;
  httpStatus: number | null;
  attempts: number;
  durationMs: number;
  steps: StepOutcome[];
  /** Per-capability outcomes (Graph app-only); absent or null when the driver probes one capability. */
  capabilities?: CheckCapabilitiesDto | null;
  /** The profile that checked the user; null on results stored before migration 029 (the default profile). */
  profileId?: string | null;
  /** The profile the product would place the user in, when the answer placed the mailbox elsewhere and one reaches it. */
  suggestedProfileId?: string | null;
  /** Where the answer says the mailbox lives, and the answer that says so (the driver's outcome). */
  placement?: MailboxPlacement | null;
  checkedAt: Date;
}

export interface RunProgress {
  done: number;
  counts: Partial<Record<CategoryId, number>>;
}

export interface CheckRunStore {
  /**
   * Users in the run's scope that have no result yet, ordered by user id, strictly after `afterUserId` and, when
   * `lastUserId` is given, not after it (a chunk of the run).
   */
  pendingTargets(
    runId: string,
    afterUserId: string | null,
    limit: number,
    lastUserId?: string | null,
  ): Promise<CheckTargetRow[]>;
  /**
   * Makes the results durable together with the run's progress, in one transaction: a result counts as done only
   * once this resolves. A (run, user) pair that already has a result is never written twice. Resolves with the
   * run's durable progress after the write, which counts what every process wrote (several may write one run).
   */
  recordResults(runId: string, results: CheckResultRecord[]): Promise<RunProgress>;
}
