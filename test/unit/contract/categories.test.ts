/** What each category means to every reader: the flags next to its words, and what follows from them. */
import { describe, expect, it } from "vitest";
import {
  CATEGORIES,
  CATEGORY_LIST,
  RUN_STOPPING_CATEGORIES,
  categoriesWhere,
  failingCount,
} from "../../../src/contract/categories.js";
import { SCOPE_RELATED_CATEGORIES } from "../../../src/contract/checks.js";

describe("category flags", () => {
  it("stops a run on a refused service account or app, and such a category blocks preflight too", () => {
    expect([...RUN_STOPPING_CATEGORIES].sort()).toEqual(
      [
        "app_not_in_tenant",
        "auth_failed",
        "auth_method_unsupported",
        "basic_disabled",
        "conditional_access_blocked",
        "ntlm_refused",
        "secret_expired",
        "secret_id_pasted",
        "tenant_not_found",
        "token_expired",
      ].sort(),
    );
    for (const id of RUN_STOPPING_CATEGORIES) expect(categoriesWhere("blocksPreflight")).toContain(id);
  });

  it("counts a user as failing exactly when the severity is error or transient", () => {
    for (const entry of CATEGORY_LIST) {
      expect([entry.id, entry.failing]).toEqual([
        entry.id,
        entry.severity === "error" || entry.severity === "transient",
      ]);
    }
    expect(failingCount({ ok: 3, non_primary_address: 1, no_mailbox: 2, timeout: 1 })).toBe(3);
    // A category a later version wrote counts as unknown_error: failing.
    expect(failingCount({ ok: 1, from_the_future: 2 })).toBe(2);
  });

  it("throttles the whole service account only on its own budget's answers, all of them transient; unreachable means network, time-out or TLS", () => {
    expect(categoriesWhere("throttling")).toEqual(["server_busy", "too_many_connections", "throttled"]);
    for (const id of categoriesWhere("throttling")) expect(CATEGORIES[id].severity).toBe("transient");
    expect(categoriesWhere("unreachable")).toEqual(["tls_error", "network_error", "timeout"]);
  });

  it("puts the settling note with what a change of scope, role or consent may still be turning into", () => {
    expect([...SCOPE_RELATED_CATEGORIES].sort()).toEqual(
      [
        "access_denied",
        "calendar_denied",
        "drafts_not_permitted",
        "ews_blocked",
        "graph_scope_denied",
        "impersonation_denied",
        "permission_missing",
        "tenant_wide_consent",
      ].sort(),
    );
  });
});
