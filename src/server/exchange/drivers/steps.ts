/** Timing and recording of the named steps a driver reports (GetFolder, CreateItem, token, ...). */
import type { StepOutcome } from "../driver.js";
import type { Classified } from "../transport.js";

export function stepOf(step: string, classified: Classified, startedAt: number): StepOutcome {
  const outcome: StepOutcome = {
    step,
    ok: classified.category === "ok" || classified.category === "non_primary_address",
    category: classified.category,
    durationMs: Math.max(0, Math.round(performance.now() - startedAt)),
  };
  if (classified.detail !== undefined) outcome.detail = classified.detail;
  return outcome;
}

export async function timed<T>(run: () => Promise<T>): Promise<{ value: T; startedAt: number }> {
  const startedAt = performance.now();
  const value = await run();
  return { value, startedAt };
}

/** Copies the classification's optional fields onto an outcome without writing undefined (exactOptionalPropertyTypes). */
export function classifiedFields(classified: Classified): {
  category: Classified["category"];
  detail?: string;
  primarySmtpAddress?: string;
  backOffMs?: number;
  httpStatus?: number;
} {
  const fields: ReturnType<typeof classifiedFields> = { category: classified.category };
  if (classified.detail !== undefined) fields.detail = classified.detail;
  if (classified.primarySmtpAddress !== undefined) fields.primarySmtpAddress = classified.primarySmtpAddress;
  if (classified.backOffMs !== undefined) fields.backOffMs = classified.backOffMs;
  if (classified.httpStatus !== undefined) fields.httpStatus = classified.httpStatus;
  return fields;
}
