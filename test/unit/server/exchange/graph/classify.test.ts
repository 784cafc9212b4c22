import { describe, expect, it } from "vitest";
import { classifyGraphAnswer } from "../../../../../src/server/exchange/graph/classify.js";

function graphError(status: number, code: string, message: string, headers: Record<string, string> = {}) {
  return {
    status,
    headers: new Headers(headers),
    body: JSON.stringify({
      error: { code, message, innerError: { date: "2026-11-02T10:00:00", "request-id": "5f1c" } },
    }),
  };
}

describe("Graph answer classification", () => {
  it.each([
    [graphError(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again."), "graph_scope_denied"],
    [
      graphError(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation."),
      "graph_scope_denied",
    ],
    [
      graphError(
        404,
        "MailboxNotEnabledForRESTAPI",
        "The mailbox is either inactive, soft-deleted, or is hosted on-premise.",
      ),
      "no_mailbox",
    ],
    [graphError(404, "ResourceNotFound", "Resource could not be discovered."), "user_not_found"],
    [graphError(404, "Request_ResourceNotFound", "Resource 'x' does not exist."), "user_not_found"],
    [graphError(404, "ErrorInvalidUser", "The requested user 'x' is invalid."), "user_not_found"],
    [graphError(401, "InvalidAuthenticationToken", "Access token has expired or is not yet valid."), "auth_failed"],
    [graphError(503, "ErrorMailboxMoveInProgress", "The mailbox is being moved."), "mailbox_moving"],
    [
      graphError(503, "ErrorMailboxStoreUnavailable", "The mailbox database is temporarily unavailable."),
      "mailbox_store_unavailable",
    ],
    [graphError(500, "UnknownError", ""), "server_error"],
    [graphError(400, "BadRequest", "Invalid filter clause"), "unknown_error"],
    [{ status: 200, headers: new Headers(), body: "<html>proxy login</html>" }, "bad_response"],
    [{ status: 502, headers: new Headers(), body: "Bad Gateway" }, "server_error"],
  ])("classifies %j as %s", (answer, category) => {
    expect(classifyGraphAnswer(answer).classified.category).toBe(category);
  });

  it("maps a mailbox's 429 ApplicationThrottled to mailbox_throttled with Retry-After and Graph's words", () => {
    const outcome = classifyGraphAnswer(
      graphError(429, "ApplicationThrottled", "Application is over its MailboxConcurrency limit.", {
        "retry-after": "12",
      }),
    );
    expect(outcome.classified).toEqual({
      category: "mailbox_throttled",
      detail: "ApplicationThrottled: Application is over its MailboxConcurrency limit.",
      httpStatus: 429,
      backOffMs: 12_000,
    });
  });

  it("honours a fractional Retry-After on a mailbox's MailboxConcurrency 429, rounded up to the millisecond", () => {
    const outcome = classifyGraphAnswer(
      graphError(429, "ApplicationThrottled", "Application is over its MailboxConcurrency limit.", {
        "retry-after": "2.128",
      }),
    );
    expect(outcome.classified).toMatchObject({ category: "mailbox_throttled", backOffMs: 2_128, httpStatus: 429 });
  });

  it("classifies the directory's own 429 (TooManyRequests) as throttled with its Retry-After", () => {
    const outcome = classifyGraphAnswer(
      graphError(429, "TooManyRequests", "Too many requests.", { "retry-after": "0.5" }),
    );
    expect(outcome.classified).toMatchObject({ category: "throttled", backOffMs: 500 });
  });

  it("parses a successful answer's JSON", () => {
    const outcome = classifyGraphAnswer({ status: 200, headers: new Headers(), body: '{"id":"AAMk"}' });
    expect(outcome).toMatchObject({ ok: true, json: { id: "AAMk" }, classified: { category: "ok" } });
  });
});
