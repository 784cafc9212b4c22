import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import HealthTab from "../../../../../src/taskpane/admin/health/HealthTab";
import { FakeBackend, me, problem, renderWithSession } from "../harness";
import { alertSettings, BASE, channels, historyEntry, schedule, statusChange } from "../monitoringFixtures";

const HOUR = 3_600_000;

function backend() {
  return new FakeBackend()
    .on("GET /api/me", { body: me() })
    .on(`GET ${BASE}/schedule`, { body: schedule() })
    .on(`GET ${BASE}/alerts`, { body: alertSettings() })
    .on(`GET ${BASE}/channels`, { body: channels() })
    .on(`GET ${BASE}/deliveries`, { body: { items: [], nextCursor: null } });
}

describe("Health", () => {
  it("lists each run's figures in the chart's table equivalent, newest first", async () => {
    const server = backend()
      .on(`GET ${BASE}/history`, {
        body: {
          items: [
            historyEntry("run-3", "2026-12-02T06:00:00.000Z", { connected: 7, needsAttention: 1, failing: 4 }),
            historyEntry("run-2", "2026-12-01T06:00:00.000Z", { connected: 10, needsAttention: 2, failing: 0 }),
            historyEntry(
              "run-1",
              "2026-11-30T06:00:00.000Z",
              { connected: 9, needsAttention: 0, failing: 3 },
              { trigger: "manual" },
            ),
          ],
          nextCursor: null,
        },
      })
      .on(`GET ${BASE}/failing-users`, { body: { items: [] } })
      .on(`GET ${BASE}/status-changes`, { body: { items: [], nextCursor: null } });
    renderWithSession(<HealthTab orgId="org-1" />, server);

    const table = await screen.findByRole("table", { name: "Users per check run, newest first" });
    const rows = within(table).getAllByRole("row").slice(1);
    expect(
      rows.map((row) =>
        within(row)
          .getAllByRole("cell")
          .slice(1)
          .map((cell) => cell.textContent),
      ),
    ).toEqual([
      ["7", "1", "4"],
      ["10", "2", "0"],
      ["9", "0", "3"],
    ]);
    expect(within(rows[2]!).getByText(/Manual/)).toBeInTheDocument();
    expect(screen.getByText(/Latest run: 7 connected, 1 need attention, 4 failing/)).toBeInTheDocument();
    expect(server.sent(`GET ${BASE}/history`)[0]?.query.get("limit")).toBe("30");

    const toggle = screen.getByRole("button", { name: "Show table of figures" });
    await userEvent.click(toggle);
    expect(screen.getByRole("button", { name: "Hide table of figures" })).toHaveAttribute("aria-pressed", "true");
  });

  it("shows who newly failed in the latest run and how long each failing user has been failing", async () => {
    const now = Date.now();
    const server = backend()
      .on(`GET ${BASE}/history`, {
        body: {
          items: [
            historyEntry("run-2", new Date(now - HOUR).toISOString(), { connected: 1, needsAttention: 0, failing: 2 }),
            historyEntry("run-1", new Date(now - 80 * HOUR).toISOString(), {
              connected: 2,
              needsAttention: 0,
              failing: 1,
            }),
          ],
          nextCursor: null,
        },
      })
      .on(`GET ${BASE}/failing-users`, {
        body: {
          items: [
            {
              userId: "u-2",
              email: "new@contoso.lab",
              category: "no_mailbox",
              since: new Date(now - 5 * HOUR).toISOString(),
            },
            {
              userId: "u-1",
              email: "old@contoso.lab",
              category: "impersonation_denied",
              since: new Date(now - 74 * HOUR).toISOString(),
            },
          ],
        },
      })
      .on(`GET ${BASE}/status-changes`, {
        body: {
          items: [
            statusChange({ email: "new@contoso.lab", runId: "run-2", category: "no_mailbox" }),
            statusChange({ email: "back@contoso.lab", runId: "run-2", change: "recovered", category: "ok" }),
            statusChange({ email: "old@contoso.lab", runId: "run-1" }),
          ],
          nextCursor: null,
        },
      });
    renderWithSession(<HealthTab orgId="org-1" />, server);

    const fresh = await screen.findByRole("list", { name: "Newly failing since the previous run" });
    expect(
      within(fresh)
        .getAllByRole("listitem")
        .map((item) => item.firstChild?.textContent),
    ).toEqual(["new@contoso.lab"]);
    expect(within(fresh).getByText(/The user has no mailbox on this server/)).toBeInTheDocument();

    const failing = screen.getByRole("table", { name: "Failing now (2)" });
    const rows = within(failing).getAllByRole("row").slice(1);
    expect(
      rows.map((row) =>
        within(row)
          .getAllByRole("cell")
          .map((cell) => cell.querySelector("span, time")?.textContent),
      ),
    ).toEqual([
      ["old@contoso.lab", "3 days"],
      ["new@contoso.lab", "5 hours"],
    ]);
  });

  it("lists the mailboxes the latest run found in the other place, with where they now go and why", async () => {
    const now = Date.now();
    const moved =
      "Moved from On-premises to Cloud: On-premises Autodiscover redirected the address to its cloud routing address";
    const server = backend()
      .on(`GET ${BASE}/history`, {
        body: {
          items: [
            historyEntry("run-2", new Date(now - HOUR).toISOString(), { connected: 3, needsAttention: 1, failing: 0 }),
            historyEntry("run-1", new Date(now - 25 * HOUR).toISOString(), {
              connected: 4,
              needsAttention: 0,
              failing: 0,
            }),
          ],
          nextCursor: null,
        },
      })
      .on(`GET ${BASE}/failing-users`, { body: { items: [] } })
      .on(`GET ${BASE}/status-changes`, {
        body: {
          items: [
            statusChange({
              email: "oscar.onprem@northwind.lab",
              runId: "run-2",
              change: "moved",
              category: "mailbox_in_cloud",
              previousCategory: null,
              detail: moved,
            }),
            // An earlier run's move is not the latest run's news.
            statusChange({
              email: "nina.admin@northwind.lab",
              runId: "run-1",
              change: "moved",
              category: "mailbox_in_cloud",
              detail: "Moved from On-premises to Cloud: earlier",
            }),
          ],
          nextCursor: null,
        },
      });
    renderWithSession(<HealthTab orgId="org-1" />, server);

    const list = await screen.findByRole("list", { name: "Moved in the latest run (1)" });
    expect(
      within(list)
        .getAllByRole("listitem")
        .map((item) => item.textContent),
    ).toEqual([`oscar.onprem@northwind.lab${moved}`]);
  });

  it("marks a run stopped by a refused service account in the chart and the table, and the summary speaks of it", async () => {
    const stopped = historyEntry(
      "run-2",
      "2026-12-02T06:00:00.000Z",
      { connected: 0, needsAttention: 0, failing: 0 },
      {
        state: "auth_failed",
        total: 11,
        trigger: "manual",
        stopReason: { category: "ntlm_refused", message: "The server refused the Windows (NTLM) sign-in." },
      },
    );
    const server = backend()
      .on(`GET ${BASE}/history`, {
        body: {
          items: [
            stopped,
            historyEntry("run-1", "2026-12-01T06:00:00.000Z", { connected: 4, needsAttention: 1, failing: 6 }),
          ],
          nextCursor: null,
        },
      })
      .on(`GET ${BASE}/failing-users`, {
        body: {
          items: [{ userId: "u-1", email: "old@contoso.lab", category: "no_mailbox", since: stopped.startedAt }],
        },
      })
      .on(`GET ${BASE}/status-changes`, { body: { items: [], nextCursor: null } });
    renderWithSession(<HealthTab orgId="org-1" />, server);

    const table = await screen.findByRole("table", { name: "Users per check run, newest first" });
    const [newest, reason] = within(table).getAllByRole("row").slice(1);
    expect(newest).toHaveTextContent(/Manual/);
    expect(reason).toHaveTextContent("Stopped: the service account was refused (11 not checked)");
    expect(reason).toHaveTextContent("The server refused the Windows (NTLM) sign-in.");
    expect(
      screen.getAllByText(
        /Latest run stopped: the service account was refused \(11 users not checked\)\. Last complete run \(.+\): 4 connected, 1 need attention, 6 failing\./,
      ).length,
    ).toBeGreaterThan(0);
    expect(screen.queryByText(/Latest run: 0 connected/)).not.toBeInTheDocument();
    expect(screen.getByText(/The latest run stopped before checking these users/)).toBeInTheDocument();
  });

  it("says plainly when alerts are held, and until when, and when they go nowhere", async () => {
    const until = "2026-12-02T16:45:00.000Z";
    const held = backend()
      .on(`GET ${BASE}/schedule`, { body: schedule({ settlingUntil: until }) })
      .on(`GET ${BASE}/history`, { body: { items: [], nextCursor: null } })
      .on(`GET ${BASE}/failing-users`, { body: { items: [] } })
      .on(`GET ${BASE}/status-changes`, { body: { items: [], nextCursor: null } });
    const { unmount } = renderWithSession(<HealthTab orgId="org-1" />, held);
    const banner = await screen.findByTestId("alerts-held");
    expect(banner).toHaveTextContent(/Alerts are held until .+: the email configuration changed/);
    expect(banner).toHaveTextContent("can take 2 hours");
    expect(within(banner).getByText((_, element) => element?.tagName === "TIME")).toHaveAttribute("datetime", until);
    unmount();

    const nowhere = backend()
      .on(`GET ${BASE}/channels`, {
        body: { ...channels(), email: { enabled: false, recipients: [], smtpConfigured: true } },
      })
      .on(`GET ${BASE}/history`, { body: { items: [], nextCursor: null } })
      .on(`GET ${BASE}/failing-users`, { body: { items: [] } })
      .on(`GET ${BASE}/status-changes`, { body: { items: [], nextCursor: null } });
    renderWithSession(<HealthTab orgId="org-1" />, nowhere);
    expect(await screen.findByTestId("alerts-line")).toHaveTextContent("Alerts are not sent anywhere");
  });

  it("says there is no history yet instead of an empty chart", async () => {
    const server = backend()
      .on(`GET ${BASE}/history`, { body: { items: [], nextCursor: null } })
      .on(`GET ${BASE}/failing-users`, { body: { items: [] } })
      .on(`GET ${BASE}/status-changes`, { body: { items: [], nextCursor: null } });
    renderWithSession(<HealthTab orgId="org-1" />, server);

    expect(await screen.findByText(/No check runs of the saved configuration yet/)).toBeInTheDocument();
    expect(screen.getByText(/Checks of an unsaved form .* are not kept in this history/)).toBeInTheDocument();
    expect(screen.queryByTestId("health-chart")).not.toBeInTheDocument();
    expect(screen.queryByRole("table", { name: "Users per check run, newest first" })).not.toBeInTheDocument();
  });

  it("shows the server's failure with a retry that loads the history again", async () => {
    let calls = 0;
    const server = backend()
      .on(`GET ${BASE}/history`, () =>
        ++calls === 1
          ? problem(503, "The database is busy.")
          : {
              body: {
                items: [
                  historyEntry("run-1", "2026-12-01T06:00:00.000Z", { connected: 3, needsAttention: 0, failing: 0 }),
                ],
                nextCursor: null,
              },
            },
      )
      .on(`GET ${BASE}/failing-users`, { body: { items: [] } })
      .on(`GET ${BASE}/status-changes`, { body: { items: [], nextCursor: null } });
    renderWithSession(<HealthTab orgId="org-1" />, server);

    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("The database is busy.");
    await userEvent.click(within(alert).getByRole("button", { name: "Try again" }));
    expect(await screen.findByRole("table", { name: "Users per check run, newest first" })).toBeInTheDocument();
    expect(screen.getByText("No user is failing.")).toBeInTheDocument();
    expect(
      screen.getByText(/This is the first finished run: there is no earlier run to compare with/),
    ).toBeInTheDocument();
  });
});
