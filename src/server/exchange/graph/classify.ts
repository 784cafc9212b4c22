/**
 * Maps a Microsoft Graph answer to a category: the Graph errors named in DOMAIN.md, HTTP throttling (a mailbox's own
 * ApplicationThrottled apart from the app's or directory's), and the rest.
 */
import type { CategoryId } from "../../../contract/categories.js";
import type { Classified, HttpAnswer } from "../transport.js";
import { retryAfterMs } from "../transport.js";

export const GRAPH_ERROR_CATEGORIES: Readonly<Record<string, CategoryId>> = {
  ErrorAccessDenied: "graph_scope_denied",
  Authorization_RequestDenied: "graph_scope_denied",
  MailboxNotEnabledForRESTAPI: "no_mailbox",
  ResourceNotFound: "user_not_found",
  Request_ResourceNotFound: "user_not_found",
  ErrorInvalidUser: "user_not_found",
  ErrorMailboxMoveInProgress: "mailbox_moving",
  ErrorMailboxStoreUnavailable: "mailbox_store_unavailable",
  InvalidAuthenticationToken: "auth_failed",
};

export type GraphOutcome = { ok: true; json: unknown; classified: Classified } | { ok: false; classified: Classified };

function graphError(body: string): { code: string; message: string } | null {
  try {
    const parsed = JSON.parse(body) as { error?: { code?: unknown; message?: unknown } };
    const code = parsed.error?.code;
    if (typeof code !== "string") return null;
    return { code, message: typeof parsed.error?.message === "string" ? parsed.error.message : "" };
  } catch {
    return null;
  }
}

export function classifyGraphAnswer(answer: HttpAnswer): GraphOutcome {
  const { status, headers, body } = answer;
  if (status >= 200 && status < 300) {
    try {
      return { ok: true, json: JSON.parse(body) as unknown, classified: { category: "ok", httpStatus: status } };
    } catch {
      return {
        ok: false,
        classified: { category: "bad_response", detail: "Graph answered with invalid JSON", httpStatus: status },
      };
    }
  }
  const error = graphError(body);
  const detail = error === null ? `HTTP ${status}` : `${error.code}: ${error.message}`.trim();
  const fail = (category: CategoryId, backOff = false): GraphOutcome => {
    const classified: Classified = { category, detail, httpStatus: status };
    const wait = backOff ? retryAfterMs(headers) : null;
    if (wait !== null) classified.backOffMs = wait;
    return { ok: false, classified };
  };
  const known = error === null ? undefined : GRAPH_ERROR_CATEGORIES[error.code];
  if (status === 401) return fail("auth_failed");
  if (status === 403) return fail(known === "graph_scope_denied" || known === undefined ? "graph_scope_denied" : known);
  if (status === 404) return fail(known ?? "user_not_found");
  // Outlook's per-app-per-mailbox limits (MailboxConcurrency, 10,000 requests per 10 minutes) concern one mailbox.
  if (status === 429) return fail(error?.code === "ApplicationThrottled" ? "mailbox_throttled" : "throttled", true);
  if (status === 503 || status === 504) return fail(known ?? "throttled", true);
  if (status >= 500) return fail("server_error");
  if (error === null) return fail("bad_response");
  return fail(known ?? "unknown_error");
}
