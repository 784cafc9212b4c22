import { ApiError } from "../../../backend/errors";

export type FieldErrors = Record<string, string>;

/**
 * The backend's field errors under the form's own field names: "email.recipients.2" lands on "email.recipients",
 * "body.time" on "time". Fields the form does not know are left out (the failure message still names the problem).
 */
export function fieldErrorsFor(error: unknown, names: readonly string[]): FieldErrors {
  if (!(error instanceof ApiError)) return {};
  const found: FieldErrors = {};
  for (const [raw, message] of Object.entries(error.fieldErrors)) {
    const field = raw.replace(/^(body|\/)\.?/, "").replace(/\//g, ".");
    const name = names.find(
      (known) => field === known || field.startsWith(`${known}.`) || field.startsWith(`${known}[`),
    );
    if (name) found[name] ??= message;
  }
  return found;
}

/** Whole numbers in a range, as typed into a number field ("" and "4.5" are refused). */
export function integerError(text: string, min: number, max: number): string | null {
  if (!/^\d+$/.test(text.trim())) return `Enter a whole number from ${min} to ${max}.`;
  const value = Number(text);
  return value < min || value > max ? `Enter a whole number from ${min} to ${max}.` : null;
}
