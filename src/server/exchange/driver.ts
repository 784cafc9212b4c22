/**
 * One interface over the three access types: the check runner drives any of them the same way.
 * Drivers never throw for a user's outcome: every answer (including network failures and unparseable responses)
 * becomes a classified CheckOutcome. They throw only for programming errors.
 */
import type { CategoryId } from "../../contract/categories.js";
import type { CheckCapabilitiesDto, CheckPermissionDto } from "../../contract/checks.js";

export type CheckDepth = "read" | "full";

export interface CheckTarget {
  email: string;
}

/** One named step (GetFolder, CreateItem, DeleteItem, token, TLS, ...) and how it ended, for the admin to read. */
export interface StepOutcome {
  step: string;
  ok: boolean;
  category: CategoryId;
  detail?: string;
  durationMs: number;
}

export interface CheckOutcome {
  category: CategoryId;
  /** Human detail from the server (response message text, HTTP status line); never secrets. */
  detail?: string;
  /** ErrorNonPrimarySmtpAddress carries the primary address to use instead. */
  primarySmtpAddress?: string;
  /** ErrorServerBusy BackOffMilliseconds, or Retry-After converted to ms: the runner's shared back-off honours it. */
  backOffMs?: number;
  httpStatus?: number;
  /** Per-capability outcomes, for drivers that probe mail and calendar apart (Graph app-only). */
  capabilities?: CheckCapabilitiesDto;
  steps: StepOutcome[];
}

export interface PreflightReport {
  /** False when per-user work must not start (URL unreachable, TLS invalid, authentication refused). */
  canProceed: boolean;
  steps: StepOutcome[];
  /** Consequences the admin should know that do not block the run (no mailbox or license: rooms unreadable). */
  warnings: Array<{ category: CategoryId; message: string }>;
  /** Graph app-only: the permissions the depth needs, each present or missing. */
  permissions?: CheckPermissionDto[];
}

export interface RoomsOutcome {
  ok: boolean;
  category: CategoryId;
  rooms: Array<{ name: string; email: string; roomList: string | null }>;
  detail?: string;
}

export interface MailboxDriver {
  /** `depth` decides which permissions a driver that reads them reports as needed (default read). */
  preflight(signal: AbortSignal, depth?: CheckDepth): Promise<PreflightReport>;
  checkUser(target: CheckTarget, depth: CheckDepth, signal: AbortSignal): Promise<CheckOutcome>;
  listRooms(signal: AbortSignal): Promise<RoomsOutcome>;
}
