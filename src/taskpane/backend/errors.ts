import type { ProblemDetails } from "../../contract/api";
import { fieldMessagesOf } from "./messages";

/** The backend answered with a problem (4xx/5xx problem+json); `fieldErrors` maps each named field to its rule. */
export class ApiError extends Error {
  readonly fieldErrors: Record<string, string>;

  constructor(
    readonly status: number,
    readonly problem: ProblemDetails,
  ) {
    super(problem.detail ?? problem.title);
    this.name = "ApiError";
    this.fieldErrors = {};
    for (const entry of problem.errors ?? []) {
      // Check runs validate the draft under "draft."; the form knows the fields by their own names.
      const field = entry.field.replace(/^draft\./, "");
      this.fieldErrors[field] ??= entry.message;
    }
  }
}

/** Every field error of a failure as sentences under the form's field names; empty for any other failure. */
export function fieldMessages(error: unknown): Record<string, string> {
  return error instanceof ApiError ? fieldMessagesOf(error.problem) : {};
}

/** Whether the failure names fields and every one is among `shown`: then the fields say it all, no banner. */
export function allFieldsShown(error: unknown, shown: readonly string[]): boolean {
  const fields = Object.keys(fieldMessages(error));
  return fields.length > 0 && fields.every((field) => shown.includes(field));
}

/** The backend could not be reached (network failure, or a proxy answering for a stopped server). */
export class BackendUnavailableError extends Error {
  constructor(cause?: unknown) {
    super("The Sync Sidebar service cannot be reached.", { cause });
    this.name = "BackendUnavailableError";
  }
}

/** The backend refused the token even after a fresh one was acquired: the user must sign in again. */
export class SessionExpiredError extends Error {
  constructor() {
    super("Your session has expired. Sign in again to continue.");
    this.name = "SessionExpiredError";
  }
}

/** What a view says about a failed call: a title, what to do, and the field errors to show at their fields. */
export interface FailureText {
  title: string;
  action: string;
  fieldErrors: Record<string, string>;
}

export function describeFailure(error: unknown): FailureText {
  if (error instanceof ApiError) {
    const action =
      error.status === 403
        ? "Ask an administrator of your organization for access."
        : error.status === 404
          ? "It may have been removed; reload to see the current state."
          : error.status === 409
            ? "Reload to see the current state, then try again."
            : error.status === 412
              ? "Reload the latest version; what you typed is kept."
              : error.status === 429
                ? "Wait a minute, then try again."
                : error.status >= 500
                  ? "Try again in a moment; if it keeps failing, tell your administrator."
                  : "Correct it and try again.";
    // A detail that only lists field paths ("draft.ewsUrl: host … could not be resolved") reads by the fields' labels.
    const namesPaths = (error.problem.errors ?? []).some((entry) => error.message.includes(`${entry.field}:`));
    const title = namesPaths ? Object.values(fieldMessages(error)).join(" ") : error.message;
    return { title, action, fieldErrors: error.fieldErrors };
  }
  if (error instanceof BackendUnavailableError) {
    return {
      title: error.message,
      action: "Check your connection and try again; if it persists, the service may be down — tell your administrator.",
      fieldErrors: {},
    };
  }
  if (error instanceof SessionExpiredError) {
    return { title: error.message, action: "Select Sign in; nothing you typed is lost.", fieldErrors: {} };
  }
  if (error instanceof Error && error.name === "SignInError") {
    return { title: error.message, action: (error as Error & { action?: string }).action ?? "", fieldErrors: {} };
  }
  return {
    title: "Something went wrong.",
    action: "Try again; if it keeps failing, reload the pane.",
    fieldErrors: {},
  };
}
