import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it, onTestFinished, vi } from "vitest";
import type { CategoryId } from "../../../../src/contract/categories";
import { CATEGORIES } from "../../../../src/contract/categories";
import type { CheckResultDto } from "../../../../src/contract/checks";
import { ResultsList, resultStages } from "../../../../src/taskpane/admin/emailConfig/ResultsList";
import { result, resultsAnswer } from "./fixtures";
import { FakeBackend, me, renderWithSession } from "./harness";

/** jsdom lays nothing out: give the list a viewport and its rows a height so the virtualizer renders them. */
function giveLayout() {
  const heightOf = (element: HTMLElement) =>
    element.dataset.testid === "results-list" ? 2000 : element.getAttribute("role") === "listitem" ? 60 : 0;
  const spies = [
    vi.spyOn(HTMLElement.prototype, "clientHeight", "get").mockImplementation(function (this: HTMLElement) {
      return heightOf(this);
    }),
    vi.spyOn(HTMLElement.prototype, "offsetHeight", "get").mockImplementation(function (this: HTMLElement) {
      return heightOf(this);
    }),
    vi.spyOn(HTMLElement.prototype, "clientWidth", "get").mockReturnValue(800),
  ];
  onTestFinished(() => spies.forEach((spy) => spy.mockRestore()));
}

function of(email: string, category: CategoryId): CheckResultDto {
  return { ...result(email), category, severity: CATEGORIES[category].severity };
}

describe("the per-user results of a run", () => {
  it("lists errors first, then transient results, warnings, and the connected last, by email within each", async () => {
    giveLayout();
    const items = [
      of("amy@contoso.lab", "ok"),
      of("bob@contoso.lab", "non_primary_address"),
      of("cat@contoso.lab", "mailbox_moving"),
      of("dan@contoso.lab", "no_mailbox"),
      of("eve@contoso.lab", "ok"),
      of("fay@contoso.lab", "account_disabled"),
    ];
    const server = new FakeBackend()
      .on("GET /api/me", { body: me() })
      .on("GET /api/orgs/org-1/checks/run-1/results", resultsAnswer(items));
    renderWithSession(
      <ResultsList
        orgId="org-1"
        runId="run-1"
        category={null}
        total={6}
        severityCounts={{ error: 2, transient: 1, warning: 1, ok: 2 }}
      />,
      server,
    );

    const list = await screen.findByRole("list", { name: "Results, 6 users" });
    await waitFor(() => expect(within(list).queryAllByText(/@contoso\.lab$/)).toHaveLength(6));
    const order = within(list)
      .getAllByRole("listitem")
      .map((row) => row.querySelector("span")?.textContent);
    expect(order).toEqual([
      "dan@contoso.lab",
      "fay@contoso.lab",
      "cat@contoso.lab",
      "bob@contoso.lab",
      "amy@contoso.lab",
      "eve@contoso.lab",
    ]);
    expect(server.sent("GET /api/orgs/org-1/checks/run-1/results").map((r) => r.query.get("severity"))).toEqual([
      "error",
      "transient",
      "warning",
      "ok",
    ]);
  });

  it("reads one category as filtered, and only the severities a run has", () => {
    expect(resultStages("no_mailbox", { error: 3, ok: 1 })).toEqual([{ category: "no_mailbox" }]);
    expect(resultStages(null, { error: 0, transient: 2, warning: 0, ok: 5 })).toEqual([
      { severity: "transient" },
      { severity: "ok" },
    ]);
    expect(resultStages(null, null)).toEqual([{}]);
  });
});
